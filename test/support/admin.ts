import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { TEST_ADMIN_TOKEN } from './app.js';

export type AdminCall = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read API JSON loosely
) => Promise<{ status: number; body: any }>;

/**
 * The admin API as an operator calls it: `url` under /admin/v1, the test admin token, a JSON
 * payload. Never a 5xx (a malformed request is a 4xx). `app` is read at call time (set in beforeAll).
 * The body is the answer's JSON, or its text when it is not JSON (a CSV report).
 */
export function adminClient(app: () => FastifyInstance): AdminCall {
  return async (method, url, payload) => {
    const res = await adminInject(app(), method, url, payload);
    expect(res.statusCode, res.body).toBeLessThan(500);
    const json = String(res.headers['content-type'] ?? '').includes('json');
    return { status: res.statusCode, body: json ? res.json() : res.body };
  };
}

/**
 * One admin request through `app.inject` (`url` under /admin/v1, a JSON payload), answering the
 * raw response: for the tests that read headers, a PDF, or the status of a malformed request.
 */
export function adminInject(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return app.inject({
    method,
    url: `/admin/v1${url}`,
    ...(payload !== undefined ? { payload: payload as object } : {}),
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
}

/** `call` (the admin or the merchant API) for calls that must succeed (2xx): answers their JSON. */
export function succeeding<M extends string>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read API JSON loosely
  call: (method: M, url: string, payload?: unknown) => Promise<{ status: number; body: any }>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read API JSON loosely
): (method: M, url: string, payload?: unknown) => Promise<any> {
  return async (method, url, payload) => {
    const res = await call(method, url, payload);
    expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
}
