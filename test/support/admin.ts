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
 */
export function adminClient(app: () => FastifyInstance): AdminCall {
  return async (method, url, payload) => {
    const res = await app().inject({
      method,
      url: `/admin/v1${url}`,
      ...(payload !== undefined ? { payload: payload as object } : {}),
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.statusCode, res.body).toBeLessThan(500);
    return { status: res.statusCode, body: res.json() };
  };
}
