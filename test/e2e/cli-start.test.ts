import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoFile } from '../../src/demo/tenant.js';
import { requireService } from '../support/services.js';
import { nonce, responseSignatureValid, signedHeaders } from '../support/signing.js';
import { freePort, readJson, runJuhepay, waitFor, waitForReady, type Running } from '../support/process.js';

type SandboxCredentials = {
  wechatpay: { base_url: string; platform_serial: string; sub_mchid: string };
  alipay: { app_private_key: string };
};

const running: Running[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'juhepay-e2e-'));
  dirs.push(dir);
  return dir;
}

async function startServer(env: Record<string, string>) {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const process_ = runJuhepay(['start'], {
    PORT: String(port),
    SANDBOX_PORT: env.SANDBOX_PORT ?? String(await freePort()),
    ...env,
  });
  running.push(process_);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForReady(baseUrl, process_);
  const demo = await waitFor(
    () => readJson<DemoFile>(path.join(env.JUHEPAY_DATA_DIR!, 'demo.json')),
    30_000,
    'demo.json',
    process_,
  );
  return { process: process_, baseUrl, demo };
}

async function signedGet(baseUrl: string, demo: DemoFile, pathAndQuery: string, nonceValue = nonce()) {
  const headers = signedHeaders(demo, 'GET', pathAndQuery, '', Math.floor(Date.now() / 1000), {
    nonce: nonceValue,
  });
  const res = await fetch(`${baseUrl}${pathAndQuery}`, { headers });
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

describe('juhepay start, embedded', () => {
  it(
    'starts with no database, writes demo.json, authenticates, and keeps its data across a restart',
    { timeout: 120_000 },
    async () => {
      const dataDir = tempDir();
      const first = await startServer({ JUHEPAY_DATA_DIR: dataDir });
      expect(first.process.output()).toContain('PGlite does not fsync');
      expect(first.process.output()).toContain(`${first.baseUrl}/docs`);
      expect(first.demo).toMatchObject({
        merchant_id: expect.stringMatching(/^mch_/),
        app_id: expect.stringMatching(/^app_/),
        base_url: first.baseUrl,
      });
      expect(first.demo.plates.bound).toHaveLength(2);
      expect(first.demo.plates.blank).toHaveLength(1);
      const credentials = (await (
        await fetch(`${first.demo.sandbox_url}/sandbox/credentials`)
      ).json()) as SandboxCredentials;
      expect(credentials.wechatpay.base_url).toBe(`${first.demo.sandbox_url}/wechatpay/`);
      expect(credentials.wechatpay.platform_serial).toMatch(/^PUB_KEY_ID_/);

      // the demo merchant is onboarded at the sandbox channels: the approved sub-merchant id lands in its config
      const subMchid = await waitFor(
        async () => {
          const config = await fetch(
            `${first.baseUrl}/admin/v1/merchants/${first.demo.merchant_id}/channels/wechatpay`,
            {
              headers: { authorization: `Bearer ${first.demo.admin_token}` },
            },
          );
          const fields = ((await config.json()) as { fields?: Record<string, string> }).fields ?? {};
          return fields.sub_mchid && fields.sub_mchid !== credentials.wechatpay.sub_mchid
            ? fields.sub_mchid
            : undefined;
        },
        30_000,
        'the demo onboarding approval',
        first.process,
      );
      expect(subMchid).toMatch(/^\d+$/);

      const res = await signedGet(first.baseUrl, first.demo, '/v1/orders?mch_order_no=nope');
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body).error.request_id).toMatch(/^req_/);
      expect(responseSignatureValid(first.demo.app_secret, res.headers, res.body)).toBe(true);

      const created = await fetch(`${first.baseUrl}/admin/v1/merchants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${first.demo.admin_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Kept Across Restart' }),
      });
      expect(created.status).toBe(201);
      const merchantId = ((await created.json()) as { id: string }).id;

      expect(await first.process.stop()).toBe(0); // graceful shutdown on SIGTERM

      const second = await startServer({
        JUHEPAY_DATA_DIR: dataDir,
        PORT: new URL(first.baseUrl).port,
        SANDBOX_PORT: new URL(first.demo.sandbox_url).port,
      });
      expect(second.demo.app_id).toBe(first.demo.app_id);
      expect(second.demo.app_secret).toBe(first.demo.app_secret);
      expect(second.demo.admin_token).toBe(first.demo.admin_token);
      const again = (await (
        await fetch(`${second.demo.sandbox_url}/sandbox/credentials`)
      ).json()) as SandboxCredentials;
      expect(again.alipay.app_private_key).toBe(credentials.alipay.app_private_key); // keys kept per data folder
      const kept = await fetch(`${second.baseUrl}/admin/v1/merchants/${merchantId}`, {
        headers: { authorization: `Bearer ${second.demo.admin_token}` },
      });
      expect(kept.status).toBe(200);
      expect(((await kept.json()) as { name: string }).name).toBe('Kept Across Restart');
      expect((await signedGet(second.baseUrl, second.demo, '/v1/orders?mch_order_no=nope')).status).toBe(404);
      expect(await second.process.stop()).toBe(0);
    },
  );

  it('stops at start with one line naming a bad variable', async () => {
    const bad = runJuhepay(['start'], { JUHEPAY_DATA_DIR: tempDir(), PORT: 'eighty' });
    running.push(bad);
    expect(await bad.exited).toBe(2);
    expect(bad.output().trim()).toBe(
      'juhepay: configuration error: PORT: must be a port number 0…65535, got "eighty"',
    );
  });
});

const services =
  requireService('TEST_DATABASE_URL') && requireService('TEST_REDIS_URL') && requireService('TEST_NATS_URL');

describe.skipIf(!services)('juhepay start, production mode on PostgreSQL, Redis and NATS', () => {
  const schema = `e2e_${randomBytes(5).toString('hex')}`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });

  it('runs two processes that share nonces and credentials', { timeout: 120_000 }, async () => {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const shared = {
      DATABASE_URL: url.toString(),
      REDIS_URL: process.env.TEST_REDIS_URL!,
      NATS_URL: process.env.TEST_NATS_URL!,
      JUHEPAY_MASTER_KEY: randomBytes(32).toString('hex'),
    };
    const a = await startServer({ ...shared, JUHEPAY_DATA_DIR: tempDir() });
    expect(a.process.output()).toContain('production mode: PostgreSQL, Redis, NATS JetStream');
    const b = await startServer({ ...shared, JUHEPAY_DATA_DIR: tempDir() });
    expect(b.demo.app_id).toBe(a.demo.app_id); // one demo tenant in the shared database

    const n = nonce();
    expect((await signedGet(a.baseUrl, a.demo, '/v1/orders?mch_order_no=nope', n)).status).toBe(404);
    const replay = await signedGet(b.baseUrl, b.demo, '/v1/orders?mch_order_no=nope', n);
    expect(replay.status).toBe(401);
    expect(JSON.parse(replay.body).error.code).toBe('nonce_replayed');

    for (const server of [a, b]) {
      const ready = (await (await fetch(`${server.baseUrl}/readyz`)).json()) as {
        checks: Record<string, string>;
      };
      expect(ready.checks).toEqual({ database: 'ok', cache: 'ok', stream: 'ok' });
    }
    expect(await a.process.stop()).toBe(0);
    expect(await b.process.stop()).toBe(0);
  });
});
