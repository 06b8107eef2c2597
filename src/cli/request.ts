import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hmacBase64, messageCanonical, signRequest } from '../core/signature.js';
import type { Config } from '../platform/config.js';

/**
 * `juhepay request METHOD PATH [BODY]`: sends one signed merchant API request with the demo app's
 * credentials (or JUHEPAY_APP_ID / JUHEPAY_APP_SECRET / JUHEPAY_BASE_URL) and checks the response
 * signature. A quick way to see the API work, and a reference for merchants' own signing code.
 */
export async function signedRequest(config: Config, args: string[], env = process.env): Promise<number> {
  const [method, pathAndQuery, body = ''] = args;
  if (!method || !pathAndQuery?.startsWith('/')) {
    process.stderr.write('usage: juhepay request METHOD /v1/PATH [JSON_BODY]\n');
    return 2;
  }
  let demo: { app_id?: string; app_secret?: string; base_url?: string } = {};
  try {
    demo = JSON.parse(readFileSync(path.join(config.dataDir, 'demo.json'), 'utf8'));
  } catch {
    // no demo.json: the variables must say who we are
  }
  const credentials = {
    app_id: env.JUHEPAY_APP_ID ?? demo.app_id ?? '',
    app_secret: env.JUHEPAY_APP_SECRET ?? demo.app_secret ?? '',
  };
  const baseUrl = env.JUHEPAY_BASE_URL ?? demo.base_url ?? config.publicUrl;
  if (!credentials.app_id || !credentials.app_secret) {
    process.stderr.write(
      'juhepay request: no demo.json in the data dir; set JUHEPAY_APP_ID and JUHEPAY_APP_SECRET\n',
    );
    return 2;
  }
  const authorization = signRequest(credentials, {
    method: method.toUpperCase(),
    pathAndQuery,
    body,
    timestamp: Math.floor(Date.now() / 1000),
    nonce: randomBytes(16).toString('hex'),
  });
  const response = await fetch(`${baseUrl}${pathAndQuery}`, {
    method: method.toUpperCase(),
    headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  const text = await response.text();
  const timestamp = response.headers.get('juhe-timestamp');
  const nonce = response.headers.get('juhe-nonce');
  const signature = response.headers.get('juhe-signature');
  const verified =
    timestamp && nonce && signature
      ? hmacBase64(credentials.app_secret, messageCanonical(timestamp, nonce, text)) === signature
      : false;
  process.stdout.write(
    `HTTP ${response.status}  response signature: ${verified ? 'valid' : signature ? 'INVALID' : 'absent'}\n${text}\n`,
  );
  return response.ok ? 0 : 1;
}
