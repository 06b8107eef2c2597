import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/app.js';
import { adminInject } from '../support/admin.js';
import { describeEachEngine } from '../support/db.js';
import { signedInject } from '../support/merchant-api.js';

const NUL = '\u0000';

// PostgreSQL text (and jsonb) cannot hold NUL: a NUL anywhere in a stored string used to reach SQL
// and answer 500. Every string in a request is checked by the shared schema layer instead: free
// text refuses C0 controls except tab, LF and CR; identifiers refuse every control character.
describeEachEngine('control characters in requests', (ctx) => {
  let t: TestApp;
  let merchant: string;
  let store: string;
  let exception: string;

  const admin = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    adminInject(t.app, method, url, payload);
  const merchantApi = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    signedInject(t.app, t.credentials, t.clock, method, url, payload);
  const order = (fields: Record<string, unknown>) => ({
    mch_order_no: `o${Math.random().toString(36).slice(2, 12)}`,
    amount: 100,
    subject: 'noodles',
    ...fields,
  });

  beforeAll(async () => {
    t = await createTestApp(ctx.database);
    merchant = t.merchantId;
    store = (await admin('POST', `/merchants/${merchant}/stores`, { name: 'S' })).json().id;
    const created = await merchantApi('POST', '/v1/orders', order({}));
    expect(created.statusCode, created.body).toBe(201);
    exception = newId('exception', t.clock.nowMs());
    await ctx.database.db
      .insertInto('payment_exceptions')
      .values({
        id: exception,
        order_id: created.json().id,
        kind: 'late_payment',
        channel: null,
        channel_trade_no: null,
        amount: null,
        details: '{}',
        resolution: null,
        created_at: t.clock.now(),
        resolved_at: null,
      })
      .execute();
  });
  afterAll(() => t.close());

  const expect400 = (
    res: { statusCode: number; body: string; json(): unknown },
    param: string,
    message = /control character/,
  ) => {
    expect(res.statusCode, res.body).toBe(400);
    const { error } = res.json() as { error: Record<string, string> };
    expect(error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param });
    expect(error.message).toMatch(message);
    expect(error.request_id).toMatch(/^req_/);
  };

  it('POST /v1/orders refuses NUL in subject and terminal_id, and any control character in terminal_id', async () => {
    expect400(await merchantApi('POST', '/v1/orders', order({ subject: `a${NUL}b` })), 'subject');
    expect400(await merchantApi('POST', '/v1/orders', order({ terminal_id: `T${NUL}` })), 'terminal_id');
    expect400(await merchantApi('POST', '/v1/orders', order({ terminal_id: 'T\t1' })), 'terminal_id');
    expect400(
      await merchantApi('POST', '/v1/orders', order({ metadata: { note: `x${NUL}` } })),
      'metadata.note',
    );
    expect400(await merchantApi('POST', '/v1/orders', order({ subject: 'bell\u0007' })), 'subject');
  });

  it('free text keeps tab, newline and return', async () => {
    const res = await merchantApi('POST', '/v1/orders', order({ subject: 'two\tlines\r\nof text' }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().subject).toBe('two\tlines\r\nof text');
  });

  it('every admin create refuses NUL in name', async () => {
    const creates: Array<[string, Record<string, unknown>]> = [
      ['/institutions', {}],
      ['/service-providers', {}],
      ['/merchants', {}],
      [`/merchants/${merchant}/stores`, {}],
      [`/stores/${store}/terminals`, {}],
      [`/merchants/${merchant}/apps`, {}],
    ];
    for (const [url, extra] of creates) {
      expect400(await admin('POST', url, { name: `Shop${NUL}`, ...extra }), 'name');
    }
  });

  it('a resolution note with NUL is refused and the exception stays open', async () => {
    expect400(
      await admin('POST', `/payment-exceptions/${exception}/resolve`, { resolution: `refunded${NUL}` }),
      'resolution',
    );
    const res = await admin('POST', `/payment-exceptions/${exception}/resolve`, { resolution: 'refunded' });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('the audit log refuses ?object_id=%00 and a control character in any filter', async () => {
    expect400(await admin('GET', '/audit-log?object_id=%00'), 'object_id');
    expect400(await admin('GET', '/audit-log?object_id=mch%01'), 'object_id');
    expect((await admin('GET', `/audit-log?object_id=${merchant}`)).statusCode).toBe(200);
  });

  it('lone surrogates and control characters in the keys of an open object are refused', async () => {
    expect400(
      await merchantApi('POST', '/v1/orders', order({ subject: 'half \ud800 pair' })),
      'subject',
      /well-formed Unicode/,
    );
    expect400(await merchantApi('POST', '/v1/orders', order({ metadata: { [`k${NUL}`]: 'v' } })), 'metadata');
  });

  it('the last-resort guard refuses a NUL the schemas do not cover (a query string nobody declared)', async () => {
    const res = await merchantApi('GET', '/v1/ping?x=%00');
    expect400(res, 'x', /NUL/);
    expect(res.json().error.message).toBe('query parameter x must not contain NUL (U+0000)');
  });

  it('a URL the router cannot decode, or a path segment over 100 characters, gets the API error object', async () => {
    for (const url of [
      '/v1/orders/%E0%A4%A',
      '/admin/v1/merchants/%C0%AF',
      `/admin/v1/stores/${'x'.repeat(101)}`,
    ]) {
      const res = await t.app.inject({ url, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid' });
      expect(res.json().error.request_id).toMatch(/^req_/);
      expect(res.headers['request-id']).toBe(res.json().error.request_id);
    }
  });

  it('an app_id with control characters in the Authorization header is a 401, never a lookup', async () => {
    for (const appId of ['app_\u0000', 'app_\u0007x', 'app_\ud800']) {
      const res = await t.app.inject({
        url: '/v1/ping',
        headers: {
          authorization: `JUHE-HMAC-SHA256 app_id="${appId}",timestamp="${Math.floor(t.clock.nowMs() / 1000)}",nonce="0123456789abcdef0123",signature="x"`,
        },
      });
      expect(res.statusCode, res.body).toBe(401);
      expect(res.json().error).toMatchObject({
        type: 'authentication_error',
        code: 'authentication_missing',
      });
    }
  });
});
