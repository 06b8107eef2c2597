import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../support/db.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { signedInject } from '../support/merchant-api.js';
import { setMerchantStatus } from '../../src/merchants/tenancy.js';

describeEachEngine('orders: create, read, close', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(ctx.database);
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    signedInject(t.app, t.credentials, t.clock, method, url, body);

  it('creates an order (201), returns it again for an identical repeat (200), refuses a conflicting reuse (409)', async () => {
    const body = { mch_order_no: 'A-100', amount: 1000, subject: 'Latte', metadata: { table: '7' } };
    const first = await call('POST', '/v1/orders', body);
    expect(first.statusCode).toBe(201);
    const order = first.json();
    expect(order).toMatchObject({
      object: 'order',
      app_id: t.credentials.app_id,
      merchant_id: t.merchantId,
      mch_order_no: 'A-100',
      amount: 1000,
      currency: 'CNY',
      status: 'created',
      pay_way: null,
      amount_refunded: 0,
      paid_at: null,
      metadata: { table: '7' },
    });
    expect(order.id).toMatch(/^ord_/);
    expect(order.cashier_url).toBe(`http://127.0.0.1:3000/pay/${order.id}`);
    expect(new Date(order.expires_at).getTime() - new Date(order.created_at).getTime()).toBe(900_000);

    const again = await call('POST', '/v1/orders', { ...body, metadata: { table: '7' } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(order);

    const conflict = await call('POST', '/v1/orders', { ...body, amount: 1001 });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error).toMatchObject({ code: 'idempotency_error', param: 'mch_order_no' });
  });

  it('makes exactly one order from concurrent duplicates', async () => {
    const body = { mch_order_no: 'RACE-1', amount: 500, subject: 'Tea' };
    const results = await Promise.all(Array.from({ length: 10 }, () => call('POST', '/v1/orders', body)));
    expect(results.map((r) => r.statusCode).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
    ]);
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
    const rows = await ctx.database.db
      .selectFrom('orders')
      .select('id')
      .where('mch_order_no', '=', 'RACE-1')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it.each([
    ['amount 0', { amount: 0 }, 'amount'],
    ['amount as text', { amount: '100' }, 'amount'],
    ['fractional amount', { amount: 10.5 }, 'amount'],
    ['amount over 1 000 000 yuan', { amount: 100_000_001 }, 'amount'],
    ['bad mch_order_no', { mch_order_no: 'a b' }, 'mch_order_no'],
    ['empty subject', { subject: '' }, 'subject'],
    ['expires_in too short', { expires_in: 59 }, 'expires_in'],
    ['unknown pay_way', { pay_way: 'paypal' }, 'pay_way'],
    ['a payment-code way (it has its own endpoint)', { pay_way: 'wechat_micropay' }, 'pay_way'],
    ['notify_url not http', { notify_url: 'ftp://x' }, 'notify_url'],
    ['an unknown field', { amout: 5 }, 'amout'],
    ['metadata value not a string', { metadata: { a: 1 } }, 'metadata.a'],
    [
      'too many metadata pairs',
      { metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) },
      'metadata',
    ],
  ])('refuses %s with 400 naming the field', async (_name, change, param) => {
    const res = await call('POST', '/v1/orders', {
      mch_order_no: 'BAD-1',
      amount: 100,
      subject: 'x',
      ...change,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.param).toBe(param);
  });

  it('refuses a store of another merchant', async () => {
    const res = await call('POST', '/v1/orders', {
      mch_order_no: 'S-1',
      amount: 100,
      subject: 'x',
      store_id: 'sto_0000000000aaaaaaaaaaaaaaaa',
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.param).toBe('store_id');
  });

  it('closes an unpaid order once, emits order.closed, and keeps answering with the closed order', async () => {
    const created = (
      await call('POST', '/v1/orders', { mch_order_no: 'C-1', amount: 300, subject: 'x' })
    ).json();
    const closed = await call('POST', `/v1/orders/${created.id}/close`);
    expect(closed.statusCode).toBe(200);
    expect(closed.json().status).toBe('closed');
    expect((await call('POST', `/v1/orders/${created.id}/close`)).json().status).toBe('closed');
    expect((await call('GET', `/v1/orders/${created.id}`)).json().status).toBe('closed');
    const events = await ctx.database.db
      .selectFrom('outbox')
      .selectAll()
      .where('topic', '=', 'order.closed')
      .execute();
    expect(
      events.filter((e) => (e.payload as { data: { object: { id: string } } }).data.object.id === created.id),
    ).toHaveLength(1);
  });

  it('refuses new orders while the merchant is suspended, and keeps existing ones readable', async () => {
    const existing = (
      await call('POST', '/v1/orders', { mch_order_no: 'SUS-1', amount: 100, subject: 'x' })
    ).json();
    await setMerchantStatus(ctx.database.db, t.merchantId, 'suspended', 'KYC review', t.clock);
    try {
      const refused = await call('POST', '/v1/orders', { mch_order_no: 'SUS-2', amount: 100, subject: 'x' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toMatchObject({ code: 'merchant_suspended', param: 'merchant_id' });
      const read = await call('GET', `/v1/orders/${existing.id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json().status).toBe('created');
    } finally {
      await setMerchantStatus(ctx.database.db, t.merchantId, 'active', null, t.clock);
    }
  });

  it('answers 409 when closing a paid order', async () => {
    const created = (
      await call('POST', '/v1/orders', { mch_order_no: 'P-1', amount: 300, subject: 'x' })
    ).json();
    await ctx.database.db
      .updateTable('orders')
      .set({ status: 'succeeded' })
      .where('id', '=', created.id)
      .execute();
    const res = await call('POST', `/v1/orders/${created.id}/close`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('state_conflict');
  });
});
