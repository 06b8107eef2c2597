import { randomBytes } from 'node:crypto';
import type autocannon from 'autocannon';
import { hmacBase64, messageCanonical, signRequest } from '../../src/core/signature.js';

export interface Credentials {
  app_id: string;
  app_secret: string;
}

/** Authorization for a bodiless GET, signed now with a fresh nonce, as a merchant's SDK would. */
export function signedGet(
  credentials: Credentials,
  pathAndQuery: string,
  nonce = randomBytes(12).toString('hex'),
): string {
  const timestamp = Math.floor(Date.now() / 1000);
  return signRequest(credentials, { method: 'GET', pathAndQuery, body: '', timestamp, nonce });
}

/** An autocannon request that re-signs before every send, so no nonce is ever replayed. */
export function signedRequests(credentials: Credentials, path: string): autocannon.RequestSpec[] {
  return [
    {
      method: 'GET',
      path,
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, authorization: signedGet(credentials, path) },
      }),
    },
  ];
}

/**
 * Checks, before any load, that the route really runs the whole auth path: a signed request is
 * answered 200 with a valid response signature, its replay and an unsigned request get 401.
 */
export async function checkSignedRoute(
  baseUrl: string,
  credentials: Credentials,
  path: string,
): Promise<string[]> {
  const problems: string[] = [];
  const nonce = randomBytes(12).toString('hex');
  const authorization = signedGet(credentials, path, nonce);
  const ok = await fetch(baseUrl + path, { headers: { authorization } });
  const body = await ok.text();
  if (ok.status !== 200) problems.push(`signed request answered ${ok.status}: ${body}`);
  const timestamp = ok.headers.get('juhe-timestamp') ?? '';
  const signature = ok.headers.get('juhe-signature') ?? '';
  const expected = hmacBase64(
    credentials.app_secret,
    messageCanonical(timestamp, ok.headers.get('juhe-nonce') ?? '', body),
  );
  if (!signature || signature !== expected) problems.push('response signature missing or invalid');
  const replay = await fetch(baseUrl + path, { headers: { authorization } });
  await replay.text();
  if (replay.status !== 401) problems.push(`replayed nonce answered ${replay.status}, expected 401`);
  const unsigned = await fetch(baseUrl + path);
  await unsigned.text();
  if (unsigned.status !== 401) problems.push(`unsigned request answered ${unsigned.status}, expected 401`);
  return problems;
}
