import type { FastifyInstance } from 'fastify';
import { unixSeconds, type Clock } from '../../src/core/clock.js';
import { signedHeaders, type Credentials } from './signing.js';

/*
 * The merchant API as a merchant's code calls it (CONTRACT §1): the request signed with the app
 * secret at the clock's time, a JSON body. One place for it, whether the test injects into the app
 * or calls a listening server; tests of the signature itself use signedHeaders directly.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The body as sent: JSON of `payload`, a string as it is, '' for none. */
function bodyOf(payload: unknown): string {
  if (payload === undefined) return '';
  return typeof payload === 'string' ? payload : JSON.stringify(payload);
}

/** One signed request through `app.inject`; the raw response (statusCode, headers, json()). */
export function signedInject(
  app: FastifyInstance,
  credentials: Credentials,
  clock: Clock,
  method: Method,
  url: string,
  payload?: unknown,
) {
  const body = bodyOf(payload);
  return app.inject({
    method,
    url,
    ...(body ? { payload: body } : {}),
    headers: signedHeaders(credentials, method, url, body, unixSeconds(clock)),
  });
}

export interface ApiAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read API JSON loosely
  body: any;
}

export type MerchantCall = (
  method: Method,
  url: string,
  payload?: unknown,
  as?: Credentials,
) => Promise<ApiAnswer>;

/**
 * The merchant API of the app `app()` (read at call time, as it is set in beforeAll), signed as
 * `credentials()` unless a call names other credentials (`as`).
 */
export function merchantClient(
  app: () => FastifyInstance,
  credentials: () => Credentials,
  clock: () => Clock,
): MerchantCall {
  return async (method, url, payload, as) => {
    const res = await signedInject(app(), as ?? credentials(), clock(), method, url, payload);
    return { status: res.statusCode, body: res.json() };
  };
}

/** The same over HTTP, for a server that listens at `baseUrl` (end-to-end tests). */
export function merchantHttpClient(
  baseUrl: () => string,
  credentials: () => Credentials,
  clock: () => Clock,
): MerchantCall {
  return async (method, url, payload, as) => {
    const body = bodyOf(payload);
    const res = await fetch(`${baseUrl()}${url}`, {
      method,
      headers: signedHeaders(as ?? credentials(), method, url, body, unixSeconds(clock())),
      ...(body ? { body } : {}),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
}
