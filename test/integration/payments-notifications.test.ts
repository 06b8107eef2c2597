import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../support/db.js';
import { startPaymentsEnv, type PaymentsEnv } from '../support/payments.js';

// Channel notifications that come twice, or not at all: applied once, and polling recovers.
describeEachEngine('channel notifications', (ctx) => {
  let env: PaymentsEnv;
  beforeAll(async () => {
    // One clock for all: a dropped notification is retried 15 s later, the poll is due at 5 s.
    env = await startPaymentsEnv(ctx.database);
  });
  afterAll(() => env.close());

  const fault = (body: unknown) =>
    fetch(`${env.sandbox.url}/sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const nativeOrder = async (no: string) => {
    const res = await env.api('POST', '/v1/orders', {
      mch_order_no: no,
      amount: 500,
      subject: 'x',
      pay_way: 'wechat_native',
    });
    expect(res.body.status).toBe('paying');
    return res.body as { id: string; qr_code: string };
  };
  const customerPays = (codeUrl: string) =>
    fetch(`${env.sandbox.url}/sandbox/wechat/scan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code_url: codeUrl, openid: 'o-customer-1' }),
    });
  const outcomes = async (orderId: string) =>
    (
      await ctx.database.db
        .selectFrom('channel_notifications')
        .select('outcome')
        .where('out_trade_no', '=', orderId)
        .execute()
    )
      .map((r) => r.outcome)
      .sort();

  it('applies a duplicated notification once: one state change, one event', async () => {
    const order = await nativeOrder('DUP-1');
    await fault({ channel: 'wechatpay', operation: 'notify', mode: 'duplicate_notify', count: 1 });
    expect((await customerPays(order.qr_code)).status).toBeLessThan(300);
    expect(
      await env.eventually(
        async () => ((await outcomes(order.id)).length === 2 ? outcomes(order.id) : undefined),
        'both deliveries',
      ),
    ).toEqual(['applied', 'duplicate']);
    const events = await ctx.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'order.succeeded')
      .execute();
    expect(
      events.filter((e) => (e.payload as { data: { object: { id: string } } }).data.object.id === order.id),
    ).toHaveLength(1);
  });

  it('applies notifications that arrive out of order: each order ends paid, once', async () => {
    const first = await nativeOrder('REORDER-1');
    const second = await nativeOrder('REORDER-2');
    await fault({ channel: 'wechatpay', operation: 'notify', mode: 'reorder_notify', count: 1 });
    expect((await customerPays(first.qr_code)).status).toBeLessThan(300); // held back by the channel
    expect((await customerPays(second.qr_code)).status).toBeLessThan(300); // sent, then the held one
    for (const order of [first, second]) {
      expect(
        await env.eventually(
          async () => ((await outcomes(order.id)).includes('applied') ? outcomes(order.id) : undefined),
          'its notification',
        ),
      ).toEqual(['applied']);
      expect((await env.api('GET', `/v1/orders/${order.id}`)).body.status).toBe('succeeded');
    }
    const received = await ctx.database.db
      .selectFrom('channel_notifications')
      .select(['out_trade_no', 'id'])
      .where('out_trade_no', 'in', [first.id, second.id])
      .orderBy('id')
      .execute();
    expect(received.map((r) => r.out_trade_no)).toEqual([second.id, first.id]); // really reordered
  });

  it('recovers a dropped notification by polling the channel', async () => {
    const order = await nativeOrder('DROP-1');
    await fault({ channel: 'wechatpay', operation: 'notify', mode: 'drop_notify', count: 1 });
    expect((await customerPays(order.qr_code)).status).toBeLessThan(300);
    expect((await env.api('GET', `/v1/orders/${order.id}`)).body.status).toBe('paying'); // nothing arrived
    await env.sandbox.advance(5_000); // the first poll is due 5 s after the channel order
    await env.runJobs();
    expect((await env.api('GET', `/v1/orders/${order.id}`)).body.status).toBe('succeeded');
    expect(await outcomes(order.id)).toEqual([]); // the poll did it, not a notification
  });

  it('refuses a forged notification and leaves the order alone', async () => {
    const order = await nativeOrder('FORGED-1');
    const res = await fetch(`${env.baseUrl}/notify/wechatpay/${env.t.merchantId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'wechatpay-timestamp': String(Math.floor(Date.now() / 1000)),
        'wechatpay-nonce': 'abc',
        'wechatpay-signature': 'WECHATPAY/SIGNTEST/AAAA',
        'wechatpay-serial': 'PUB_KEY_ID_0000',
      },
      body: JSON.stringify({ id: 'EV-1', event_type: 'TRANSACTION.SUCCESS', resource: {} }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(600);
    expect((await env.api('GET', `/v1/orders/${order.id}`)).body.status).toBe('paying');
    const logged = await ctx.database.db
      .selectFrom('channel_notifications')
      .select('outcome')
      .where('outcome', '=', 'rejected')
      .execute();
    expect(logged.length).toBeGreaterThanOrEqual(1);
  });

  it('answers 404 for a notification to an unknown channel or merchant', async () => {
    expect(
      (await fetch(`${env.baseUrl}/notify/paypal/${env.t.merchantId}`, { method: 'POST', body: 'x' })).status,
    ).toBe(404);
    expect(
      (await fetch(`${env.baseUrl}/notify/wechatpay/not-a-merchant`, { method: 'POST', body: 'x' })).status,
    ).toBe(404);
  });
});
