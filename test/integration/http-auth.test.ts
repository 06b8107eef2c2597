import { beforeAll, afterAll, expect, it } from 'vitest';
import { unixSeconds } from '../../src/core/clock.js';
import { createApp } from '../../src/merchants/apps.js';
import { appChanged } from '../../src/merchants/index.js';
import { describeEachEngine } from '../support/db.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { nonce, responseSignatureValid, signedHeaders } from '../support/signing.js';

// CONTRACT §2 authentication, end to end through Fastify on both database engines.
describeEachEngine('merchant API authentication', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(ctx.database);
  });
  afterAll(() => t.close());

  const get = (path: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: path, headers });
  const now = () => unixSeconds(t.clock);

  it('answers a signed lookup of a missing order with a signed 404 error object', async () => {
    const path = '/v1/orders?mch_order_no=nope';
    const res = await get(path, signedHeaders(t.credentials, 'GET', path, '', now()));
    expect(res.statusCode).toBe(404);
    const body = res.json();
    expect(body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'resource_missing',
      param: 'mch_order_no',
    });
    expect(body.error.request_id).toMatch(/^req_[0-9a-z]{26}$/);
    expect(res.headers['request-id']).toBe(body.error.request_id);
    expect(responseSignatureValid(t.credentials.app_secret, res.headers, res.body)).toBe(true);
    expect(responseSignatureValid('wrong-secret', res.headers, res.body)).toBe(false);
  });

  it('answers a signed ping with the caller’s identity', async () => {
    const res = await get('/v1/ping', signedHeaders(t.credentials, 'GET', '/v1/ping', '', now()));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ object: 'ping', app_id: t.credentials.app_id, merchant_id: t.merchantId });
    expect(responseSignatureValid(t.credentials.app_secret, res.headers, res.body)).toBe(true);
  });

  it('finds an existing order by id and by mch_order_no, signed', async () => {
    const id = 'ord_0000000000aaaaaaaaaaaaaaaa';
    await ctx.database.db
      .insertInto('orders')
      .values({
        id,
        app_id: t.credentials.app_id,
        merchant_id: t.merchantId,
        mch_order_no: 'A-1',
        amount: 1234,
        currency: 'CNY',
        subject: 'coffee',
        status: 'created',
        pay_way: null,
        channel: null,
        channel_trade_no: null,
        payer: null,
        fee: null,
        notify_url: null,
        return_url: null,
        store_id: null,
        terminal_id: null,
        client_ip: null,
        metadata: JSON.stringify({ table: '7' }),
        expires_at: new Date(t.clock.nowMs() + 900_000),
        paid_at: null,
        created_at: t.clock.now(),
        updated_at: t.clock.now(),
      })
      .execute();
    for (const path of [`/v1/orders/${id}`, '/v1/orders?mch_order_no=A-1']) {
      const res = await get(path, signedHeaders(t.credentials, 'GET', path, '', now()));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        object: 'order',
        id,
        amount: 1234,
        status: 'created',
        metadata: { table: '7' },
      });
      expect(res.json().cashier_url).toBe(`http://127.0.0.1:3000/pay/${id}`);
      expect(responseSignatureValid(t.credentials.app_secret, res.headers, res.body)).toBe(true);
    }
    // another app of another merchant must not see it
    const other = await createApp(
      ctx.database.db,
      t.ctx.box,
      { merchantId: t.merchantId, name: 'other' },
      t.clock,
    );
    const path = `/v1/orders/${id}`;
    const res = await get(path, signedHeaders(other, 'GET', path, '', now()));
    expect(res.statusCode).toBe(404);
  });

  it('refuses a wrong signature with 401', async () => {
    const path = '/v1/orders?mch_order_no=nope';
    const res = await get(
      path,
      signedHeaders({ ...t.credentials, app_secret: 'not-the-secret' }, 'GET', path, '', now()),
    );
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ type: 'authentication_error', code: 'signature_invalid' });
    expect(res.json().error.request_id).toMatch(/^req_/);
  });

  it('refuses a signature made for another path (query tampering)', async () => {
    const headers = signedHeaders(t.credentials, 'GET', '/v1/orders?mch_order_no=a', '', now());
    const res = await get('/v1/orders?mch_order_no=b', headers);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('signature_invalid');
  });

  it('refuses a replayed nonce with 401', async () => {
    const path = '/v1/orders?mch_order_no=nope';
    const n = nonce();
    const first = await get(path, signedHeaders(t.credentials, 'GET', path, '', now(), { nonce: n }));
    expect(first.statusCode).toBe(404);
    const again = await get(path, signedHeaders(t.credentials, 'GET', path, '', now(), { nonce: n }));
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('nonce_replayed');
  });

  it('accepts a nonce again once 15 minutes have passed', async () => {
    const path = '/v1/orders?mch_order_no=nope';
    const n = nonce();
    expect(
      (await get(path, signedHeaders(t.credentials, 'GET', path, '', now(), { nonce: n }))).statusCode,
    ).toBe(404);
    t.clock.advance(15 * 60_000 + 1000);
    expect(
      (await get(path, signedHeaders(t.credentials, 'GET', path, '', now(), { nonce: n }))).statusCode,
    ).toBe(404);
  });

  it('does not let an unsigned request burn a nonce', async () => {
    const path = '/v1/orders?mch_order_no=nope';
    const n = nonce();
    const forged = signedHeaders({ ...t.credentials, app_secret: 'x' }, 'GET', path, '', now(), { nonce: n });
    expect((await get(path, forged)).statusCode).toBe(401);
    expect(
      (await get(path, signedHeaders(t.credentials, 'GET', path, '', now(), { nonce: n }))).statusCode,
    ).toBe(404);
  });

  it('refuses a timestamp an hour old, or 301 s off either way, and accepts 300 s', async () => {
    const path = '/v1/orders?mch_order_no=nope';
    for (const offset of [-3600, -301, 301]) {
      const res = await get(
        path,
        signedHeaders(t.credentials, 'GET', path, '', now(), { timestamp: now() + offset }),
      );
      expect(res.statusCode, `offset ${offset}`).toBe(401);
      expect(res.json().error.code).toBe('timestamp_out_of_window');
    }
    for (const offset of [-300, 300]) {
      const res = await get(
        path,
        signedHeaders(t.credentials, 'GET', path, '', now(), { timestamp: now() + offset }),
      );
      expect(res.statusCode, `offset ${offset}`).toBe(404);
    }
  });

  it('refuses an unknown app and a disabled app with 401', async () => {
    const path = '/v1/orders?mch_order_no=nope';
    const unknown = { app_id: 'app_0000000000zzzzzzzzzzzzzzzz', app_secret: t.credentials.app_secret };
    const res = await get(path, signedHeaders(unknown, 'GET', path, '', now()));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('app_unknown');

    const other = await createApp(
      ctx.database.db,
      t.ctx.box,
      { merchantId: t.merchantId, name: 'to disable' },
      t.clock,
    );
    expect((await get(path, signedHeaders(other, 'GET', path, '', now()))).statusCode).toBe(404);
    await ctx.database.db
      .updateTable('apps')
      .set({ status: 'disabled' })
      .where('id', '=', other.app_id)
      .execute();
    await appChanged(t.ctx.cache, other.app_id); // what the admin API does after every change to an app
    const disabled = await get(path, signedHeaders(other, 'GET', path, '', now()));
    expect(disabled.statusCode).toBe(401);
    expect(disabled.json().error.code).toBe('app_unknown');
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Bearer abc'],
    ['garbage fields', 'JUHE-HMAC-SHA256 app_id=x'],
    ['missing signature', 'JUHE-HMAC-SHA256 app_id="app_x",timestamp="1",nonce="0123456789abcdef"'],
    ['short nonce', 'JUHE-HMAC-SHA256 app_id="app_x",timestamp="1",nonce="short",signature="abc"'],
    [
      'non-numeric timestamp',
      'JUHE-HMAC-SHA256 app_id="app_x",timestamp="soon",nonce="0123456789abcdef",signature="a"',
    ],
    [
      'duplicate field',
      'JUHE-HMAC-SHA256 app_id="a",app_id="b",timestamp="1",nonce="0123456789abcdef",signature="a"',
    ],
  ])('refuses %s with a 401 error object', async (_name, authorization) => {
    const res = await get('/v1/orders?mch_order_no=nope', authorization ? { authorization } : {});
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ type: 'authentication_error', code: 'authentication_missing' });
  });

  it('accepts Authorization fields in any order', async () => {
    const path = '/v1/orders?mch_order_no=nope';
    const header = signedHeaders(t.credentials, 'GET', path, '', now()).authorization!;
    const fields = header.slice('JUHE-HMAC-SHA256 '.length).split(',').reverse().join(',');
    const res = await get(path, { authorization: `JUHE-HMAC-SHA256 ${fields}` });
    expect(res.statusCode).toBe(404);
  });
});
