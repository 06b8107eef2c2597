import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../support/db.js';
import { latePayment, startPaymentsEnv, type PaymentsEnv } from '../support/payments.js';
import { adminInject } from '../support/admin.js';
import { closeOrder } from '../../src/payments/close-order.js';

// Payment codes, refunds, closing and expiry against the sandbox channels, over real HTTP.
describeEachEngine('payment flows', (ctx) => {
  let env: PaymentsEnv;
  beforeAll(async () => {
    env = await startPaymentsEnv(ctx.database);
  });
  afterAll(() => env.close());

  const paycode = async (wallet: string, scenario: string) => {
    const res = await fetch(`${env.sandbox.url}/sandbox/paycodes`, {
      method: 'POST',
      body: JSON.stringify({ wallet, scenario }),
    });
    return ((await res.json()) as { auth_code: string }).auth_code;
  };
  let seq = 0;
  const micropay = async (wallet: string, scenario: string) =>
    env.api('POST', '/v1/orders/micropay', {
      mch_order_no: `MP-${wallet}-${scenario}-${++seq}`,
      amount: 880,
      subject: 'Bun',
      auth_code: await paycode(wallet, scenario),
    });

  // UnionPay's 00 on a payment code is "accepted", not paid: its success is confirmed by query (the
  // amount UnionPay reports) and its timeout ends reversed, never paid (failed before the fix: 00 read as paid)
  for (const wallet of ['wechat', 'alipay', 'unionpay']) {
    it(`${wallet} payment code: success`, async () => {
      const res = await micropay(wallet, 'success');
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'succeeded', pay_way: `${wallet}_micropay`, amount: 880 });
    });

    it(`${wallet} payment code: password, then success while we poll`, async () => {
      const res = await micropay(wallet, 'password');
      expect(res.body.status).toBe('succeeded');
    });

    it(`${wallet} payment code: insufficient funds fails`, async () => {
      const res = await micropay(wallet, 'insufficient_funds');
      expect(res.body.status).toBe('failed');
    });

    it(`${wallet} payment code: the customer never confirms → paying, then reversed by the settle job`, async () => {
      // the request polls inline for 25 s of the shared clock, then answers: still paying everywhere
      // (UnionPay accepted the code with 00 and would give up on the customer only at 60 s)
      const res = await micropay(wallet, 'timeout');
      expect(res.body.status).toBe('paying');
      // the settle job runs at 30 s and reverses (WeChat allows it 15 s after the attempt; UnionPay
      // cancels the pending payment, confirmed a second later): closed, before UnionPay's 60 s
      const closed = await env.eventually(
        async () => {
          await env.sandbox.advance(10_000);
          await env.runJobs();
          const order = (await env.api('GET', `/v1/orders/${res.body.id}`)).body;
          return order.status === 'paying' ? undefined : order;
        },
        'the reverse',
        5,
      );
      expect(closed.status).toBe('closed');
      expect(closed.paid_at).toBeNull();
    });
  }

  it('refuses a payment code no wallet issues', async () => {
    const res = await env.api('POST', '/v1/orders/micropay', {
      mch_order_no: 'MP-X',
      amount: 1,
      subject: 'x',
      auth_code: '9900000000000000',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe('auth_code');
  });

  it('a repeated micropay request never charges the code twice', async () => {
    const code = await paycode('wechat', 'success');
    const body = { mch_order_no: 'MP-REPEAT', amount: 100, subject: 'x', auth_code: code };
    const first = await env.api('POST', '/v1/orders/micropay', body);
    const again = await env.api('POST', '/v1/orders/micropay', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  const paidOrder = async (no: string, amount = 1000) => {
    const res = await env.api('POST', '/v1/orders/micropay', {
      mch_order_no: no,
      amount,
      subject: 'x',
      auth_code: await paycode('alipay', 'success'),
    });
    expect(res.body.status).toBe('succeeded');
    return res.body as { id: string };
  };

  it('refunds partly and repeatedly up to the paid amount, and refuses more', async () => {
    const order = await paidOrder('RF-1', 1000);
    const r1 = await env.api('POST', '/v1/refunds', { order_id: order.id, mch_refund_no: 'r1', amount: 300 });
    expect(r1.status).toBe(201);
    expect(r1.body).toMatchObject({ object: 'refund', order_id: order.id, amount: 300 });
    const r2 = await env.api('POST', '/v1/refunds', {
      mch_order_no: 'RF-1',
      mch_refund_no: 'r2',
      amount: 700,
    });
    expect(r2.status).toBe(201);
    const over = await env.api('POST', '/v1/refunds', { order_id: order.id, mch_refund_no: 'r3', amount: 1 });
    expect(over.status).toBe(422);
    expect(over.body.error.param).toBe('amount');
    const repeat = await env.api('POST', '/v1/refunds', {
      order_id: order.id,
      mch_refund_no: 'r1',
      amount: 300,
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body.id).toBe(r1.body.id);
    const settled = await env.eventually(async () => {
      await env.runJobs();
      await env.sandbox.advance(15_000);
      const o = (await env.api('GET', `/v1/orders/${order.id}`)).body;
      return o.amount_refunded === 1000 ? o : undefined;
    }, 'both refunds to settle');
    expect(settled.status).toBe('succeeded'); // a refunded order stays succeeded
    expect((await env.api('GET', `/v1/refunds/${r2.body.id}`)).body.status).toBe('succeeded');
  });

  it('admits concurrent refunds only up to the paid amount', async () => {
    const order = await paidOrder('RF-2', 1000);
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        env.api('POST', '/v1/refunds', { order_id: order.id, mch_refund_no: `c${i}`, amount: 400 }),
      ),
    );
    expect(attempts.filter((a) => a.status === 201)).toHaveLength(2);
    expect(attempts.filter((a) => a.status === 422)).toHaveLength(4);
  });

  it('refuses to refund an unpaid order', async () => {
    const created = await env.api('POST', '/v1/orders', { mch_order_no: 'RF-3', amount: 100, subject: 'x' });
    const res = await env.api('POST', '/v1/refunds', {
      order_id: created.body.id,
      mch_refund_no: 'x',
      amount: 1,
    });
    expect(res.status).toBe(409);
  });

  it('closes an unpaid channel order at the channel, and answers 409 for a paid one', async () => {
    const qr = await env.api('POST', '/v1/orders', {
      mch_order_no: 'CL-1',
      amount: 100,
      subject: 'x',
      pay_way: 'wechat_native',
    });
    expect(qr.body.status).toBe('paying');
    expect(qr.body.qr_code).toMatch(/^weixin:\/\/wxpay\/bizpayurl/);
    const closed = await env.api('POST', `/v1/orders/${qr.body.id}/close`);
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    const order = await paidOrder('CL-2');
    expect((await env.api('POST', `/v1/orders/${order.id}/close`)).status).toBe(409);
  });

  it('closes at the channel even when the caller’s copy of the order predates the channel order', async () => {
    const created = await env.api('POST', '/v1/orders', {
      mch_order_no: 'STALE-1',
      amount: 100,
      subject: 'x',
      pay_way: 'alipay_qr',
    });
    const row = await ctx.database.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    const staleCopy = { ...row, status: 'created' as const, channel: null }; // read before the QR code was opened
    const closed = await closeOrder(ctx.database.db, staleCopy, env.t.ctx, 'merchant');
    expect(closed.status).toBe('closed');
    // closed at Alipay too: the customer can no longer pay the code
    const scan = await fetch(`${env.sandbox.url}/sandbox/alipay/scan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ qr_code: created.body.qr_code, buyer_id: '2088000000000003' }),
    });
    expect(scan.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses to open a channel order for an expired order the expiry job has not reached yet', async () => {
    const created = await env.api('POST', '/v1/orders', {
      mch_order_no: 'LATE-SCAN',
      amount: 100,
      subject: 'x',
      expires_in: 60,
    });
    env.clock.advance(61_000);
    const res = await fetch(`${env.baseUrl}/pay/${created.body.id}`, {
      headers: {
        accept: 'application/json',
        'user-agent': 'Mozilla/5.0 (iPhone) Mobile (UnionPay/1.0 CloudPay)',
      },
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('state_conflict');
  });

  it('pays a forced way with its own wallet: alipay_wap in the Alipay app', async () => {
    const created = await env.api('POST', '/v1/orders', {
      mch_order_no: 'WAP-1',
      amount: 100,
      subject: 'x',
      pay_way: 'alipay_wap',
    });
    const res = await fetch(`${env.baseUrl}/pay/${created.body.id}`, {
      headers: {
        accept: 'application/json',
        'user-agent': 'Mozilla/5.0 (Linux; Android 13) AlipayClient/10.5.86',
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      wallet: 'alipay',
      pay_way: 'alipay_wap',
      action: { type: 'redirect' },
    });
  });

  it('expires an unpaid order by closing it at the channel', async () => {
    const created = await env.api('POST', '/v1/orders', {
      mch_order_no: 'EX-1',
      amount: 100,
      subject: 'x',
      pay_way: 'alipay_qr',
      expires_in: 60,
    });
    env.clock.advance(61_000);
    await env.runJobs();
    expect((await env.api('GET', `/v1/orders/${created.body.id}`)).body.status).toBe('closed');
  });

  it('records a success that arrives after the close as a late payment, never dropping it', async () => {
    // A UnionPay C2B code cannot be withdrawn: closing reports it lapsed, yet the customer can still pay it.
    const { order, exception } = await latePayment(env, { mch_order_no: 'LATE-1', amount: 100 });
    expect(exception).toMatchObject({ kind: 'late_payment', channel: 'unionpay', amount: 100 });
    expect((await env.api('GET', `/v1/orders/${order.id}`)).body.status).toBe('closed');
    // visible to operators, and resolvable once
    const admin = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      adminInject(env.t.app, method, url, body);
    const list = (await admin('GET', '/payment-exceptions?status=open')).json();
    expect(list.data.map((e: { order_id: string }) => e.order_id)).toContain(order.id);
    const resolved = await admin('POST', `/payment-exceptions/${exception.id}/resolve`, {
      resolution: 'refunded to the customer',
    });
    expect(resolved.json()).toMatchObject({ status: 'resolved', resolution: 'refunded to the customer' });
    const audited = await ctx.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('object_id', '=', exception.id)
      .execute();
    expect(audited.map((a) => a.action)).toEqual(['payment_exception.resolve']);
    expect(
      (await admin('POST', `/payment-exceptions/${exception.id}/resolve`, { resolution: 'again' }))
        .statusCode,
    ).toBe(409);
  });
});
