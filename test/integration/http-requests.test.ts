import { Type } from 'typebox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { unixSeconds } from '../../src/core/clock.js';
import { Strict } from '../../src/http/schemas.js';
import { describeEachEngine } from '../support/db.js';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/app.js';
import { signedHeaders } from '../support/signing.js';

// Body handling, validation errors, size limit, idempotency keys and the operations endpoints.
describeEachEngine('merchant API requests', (ctx) => {
  let t: TestApp;
  const calls: unknown[] = [];
  beforeAll(async () => {
    t = await createTestApp(ctx.database, {
      v1Routes: [
        (scope) =>
          scope.post(
            '/test/echo',
            {
              schema: {
                body: Strict({
                  amount: Type.Integer({ minimum: 1 }),
                  subject: Type.String({ minLength: 1 }),
                  extra: Type.Optional(Strict({ note: Type.String() })),
                }),
              },
            },
            async (request, reply) => {
              calls.push(request.body);
              await new Promise((r) => setTimeout(r, 20)); // hold the claim so duplicates overlap
              return reply.code(201).send({ object: 'echo', n: calls.length, body: request.body });
            },
          ),
      ],
    });
  });
  afterAll(() => t.close());

  const post = (body: string, extra: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/test/echo',
      payload: body,
      headers: {
        ...signedHeaders(t.credentials, 'POST', '/v1/test/echo', body, unixSeconds(t.clock)),
        ...extra,
      },
    });

  it('passes a valid signed body', async () => {
    const res = await post('{"amount":100,"subject":"tea"}');
    expect(res.statusCode).toBe(201);
    expect(res.json().body).toEqual({ amount: 100, subject: 'tea' });
  });

  it('answers malformed JSON with 400 body_invalid_json', async () => {
    const res = await post('{"amount":100,');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ type: 'invalid_request_error', code: 'body_invalid_json' });
  });

  it('answers unsigned malformed JSON with 401, not 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/test/echo',
      payload: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(401);
  });

  it.each([
    ['a wrong type', '{"amount":"100","subject":"tea"}', 'amount', 'parameter_invalid'],
    ['a float amount', '{"amount":1.5,"subject":"tea"}', 'amount', 'parameter_invalid'],
    ['a zero amount', '{"amount":0,"subject":"tea"}', 'amount', 'parameter_invalid'],
    ['a missing field', '{"amount":100}', 'subject', 'parameter_missing'],
    ['an unknown field', '{"amount":100,"subject":"tea","amout":5}', 'amout', 'parameter_unknown'],
    [
      'an unknown nested field',
      '{"amount":100,"subject":"tea","extra":{"note":"a","x":1}}',
      'extra.x',
      'parameter_unknown',
    ],
  ])('names the field for %s', async (_name, body, param, code) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ type: 'invalid_request_error', code, param });
    expect(res.json().error.request_id).toMatch(/^req_/);
  });

  it('answers a body that is not an object with 400', async () => {
    const res = await post('[1,2]');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.type).toBe('invalid_request_error');
  });

  it('refuses a 200 KB body with 413 and an error object', async () => {
    const body = JSON.stringify({ amount: 1, subject: 'x'.repeat(200 * 1024) });
    const res = await post(body);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ type: 'invalid_request_error', code: 'body_too_large' });
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/test/echo',
      payload: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('unsupported_media_type');
  });

  it('answers an unknown route with a 404 error object', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'route_not_found' });
  });

  it('refuses an unknown query parameter by name', async () => {
    const path = '/v1/orders?mch_order_no=a&limit=5';
    const res = await t.app.inject({
      method: 'GET',
      url: path,
      headers: signedHeaders(t.credentials, 'GET', path, '', unixSeconds(t.clock)),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'parameter_unknown', param: 'limit' });
  });

  it('replays a POST with the same Idempotency-Key and body instead of running it twice', async () => {
    const before = calls.length;
    const body = '{"amount":7,"subject":"idem"}';
    const first = await post(body, { 'idempotency-key': 'key-1' });
    const second = await post(body, { 'idempotency-key': 'key-1' });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(calls.length - before).toBe(1);
  });

  it('answers the same Idempotency-Key with a different body with 409', async () => {
    await post('{"amount":8,"subject":"idem"}', { 'idempotency-key': 'key-2' });
    const res = await post('{"amount":9,"subject":"idem"}', { 'idempotency-key': 'key-2' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ type: 'invalid_request_error', code: 'idempotency_error' });
  });

  it('runs concurrent duplicates with one key exactly once', async () => {
    const before = calls.length;
    const body = '{"amount":10,"subject":"race"}';
    const results = await Promise.all(
      Array.from({ length: 8 }, () => post(body, { 'idempotency-key': 'key-3' })),
    );
    expect(calls.length - before).toBe(1);
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
  });

  it('lets a key be reused after 7 days', async () => {
    const before = calls.length;
    const body = '{"amount":11,"subject":"week"}';
    await post(body, { 'idempotency-key': 'key-4' });
    t.clock.advance(7 * 24 * 3600 * 1000 + 1000);
    await post(body, { 'idempotency-key': 'key-4' });
    expect(calls.length - before).toBe(2);
  });

  it('refuses a malformed Idempotency-Key', async () => {
    const res = await post('{"amount":1,"subject":"x"}', { 'idempotency-key': 'x'.repeat(300) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.param).toBe('Idempotency-Key');
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', cache: 'ok', stream: 'ok' } });
    const metrics = await t.app.inject({ url: '/metrics' });
    expect(metrics.body).toContain('juhepay_http_requests_total');
  });

  it('answers /readyz with 503 while shutting down', async () => {
    t.ctx.lifecycle.shuttingDown = true;
    try {
      const res = await t.app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json().status).toBe('shutting_down');
    } finally {
      t.ctx.lifecycle.shuttingDown = false;
    }
  });

  it('publishes an OpenAPI document with the routes and the docs UI', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/orders/{id}', '/v1/orders', '/admin/v1/merchants']),
    );
    expect(doc.components.securitySchemes.merchantSignature).toBeDefined();
    const ui = await t.app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });

  it('lets an operator create a merchant, store and app, then use the app', async () => {
    const admin = (method: 'POST' | 'GET', url: string, payload?: unknown, token = TEST_ADMIN_TOKEN) =>
      t.app.inject({
        method,
        url,
        ...(payload ? { payload: payload as object } : {}),
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await admin('POST', '/admin/v1/merchants', { name: 'x' }, 'wrong-token')).statusCode).toBe(401);
    const merchant = await admin('POST', '/admin/v1/merchants', { name: 'Noodle Bar' });
    expect(merchant.statusCode).toBe(201);
    expect(merchant.json()).toMatchObject({ object: 'merchant', name: 'Noodle Bar', status: 'active' });
    const id = merchant.json().id as string;
    expect(
      (await admin('POST', '/admin/v1/merchants', { name: 'x', nickname: 'y' })).json().error.param,
    ).toBe('nickname');
    expect((await admin('POST', `/admin/v1/merchants/${id}/stores`, { name: 'Branch 1' })).statusCode).toBe(
      201,
    );
    const missing = await admin('POST', '/admin/v1/merchants/mch_0000000000zzzzzzzzzzzzzzzz/stores', {
      name: 'x',
    });
    expect(missing.statusCode).toBe(404);
    const app = await admin('POST', `/admin/v1/merchants/${id}/apps`, {
      name: 'pos',
      notify_url: 'https://shop.example/notify',
    });
    expect(app.statusCode).toBe(201);
    const creds = app.json() as { app_id: string; app_secret: string };
    const path = '/v1/orders?mch_order_no=none';
    const res = await t.app.inject({
      url: path,
      headers: signedHeaders(creds, 'GET', path, '', unixSeconds(t.clock)),
    });
    expect(res.statusCode).toBe(404);
    const stored = await ctx.database.db
      .selectFrom('apps')
      .select('secret_ciphertext')
      .where('id', '=', creds.app_id)
      .executeTakeFirstOrThrow();
    expect(stored.secret_ciphertext).not.toContain(creds.app_secret);
  });
});
