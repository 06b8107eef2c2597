import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { registerAlipaySandbox } from '../../src/sandbox/alipay/index.js';
import { startTestSandbox, type TestSandbox } from './sandbox.js';

/**
 * The official alipay-sdk pointed at the sandbox's gateway as the sandbox's app, checking the
 * sandbox's response signatures; `keys` swaps a key (a wrong one, to see a refusal). The sandbox
 * hands out PKCS#8 PEM; the SDK assumes PKCS#1 otherwise.
 */
export function alipaySdk(
  sandbox: TestSandbox,
  keys: { privateKey?: string; alipayPublicKey?: string } = {},
): AlipaySdk {
  const own = sandbox.ctx.keys.alipay;
  return new AlipaySdk({
    appId: own.app_id,
    privateKey: keys.privateKey ?? own.app_private_key,
    keyType: 'PKCS8',
    alipayPublicKey: keys.alipayPublicKey ?? own.alipay_public_key,
    gateway: `${sandbox.url}/alipay/gateway.do`,
  });
}

/** POSTs JSON to one of the sandbox's own endpoints (/sandbox/…: wallets, payment codes). */
export function sandboxPost(sandbox: TestSandbox, path: string, body: unknown): Promise<Response> {
  return fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface AlipaySandbox {
  sandbox: TestSandbox;
  sdk: AlipaySdk;
  /** sandboxPost to this sandbox */
  post(path: string, body: unknown): Promise<Response>;
}

/**
 * For the test file: the sandbox with the Alipay simulator (on `clock` when given) and the
 * official SDK pointed at it, started in beforeAll (the fields are set then) and closed in afterAll.
 */
export function useAlipaySandbox(options: { clock?: ManualClock } = {}): AlipaySandbox {
  const env = { post: (path, body) => sandboxPost(env.sandbox, path, body) } as AlipaySandbox;
  beforeAll(async () => {
    env.sandbox = await startTestSandbox([registerAlipaySandbox], options);
    env.sdk = alipaySdk(env.sandbox);
  });
  afterAll(() => env.sandbox?.close());
  return env;
}
