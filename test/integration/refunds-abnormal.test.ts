import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { startPaymentsEnv, type PaymentsEnv } from '../support/payments.js';

/**
 * WeChat refund ABNORMAL end to end (JuhePay and the sandbox over real HTTP): the customer's card
 * cannot take a refund, so the refund is `abnormal`: still counted as refunded (the rest of the
 * order, and no more, can be refunded), listed for operators, and redirected through the
 * channel's apply-abnormal-refund, after which it succeeds.
 */
describeEachEngine('abnormal refunds', (ctx) => {
  let env: PaymentsEnv;
  beforeAll(async () => {
    env = await startPaymentsEnv(ctx.database);
  });
  afterAll(() => env.close());

  const admin = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
    const res = await env.t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      ...(body ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const sandboxFault = (operation: string) =>
    fetch(`${env.sandbox.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ channel: 'wechatpay', operation, mode: 'abnormal' }),
    });
  /** runs the refund jobs (and lets the sandbox's notification arrive) until the refund leaves `pending` */
  const settled = (refundId: string, what: string) =>
    env.eventually(async () => {
      await env.sandbox.advance(5_000); // a WeChat refund settles 5 s after it was applied for
      await env.runJobs();
      const r = (await env.api('GET', `/v1/refunds/${refundId}`)).body;
      return r.status === 'pending' ? undefined : r;
    }, what);
  let seq = 0;
  const paidWechatOrder = async (amount: number) => {
    const code = await (
      await fetch(`${env.sandbox.url}/sandbox/paycodes`, {
        method: 'POST',
        body: JSON.stringify({ wallet: 'wechat', scenario: 'success' }),
      })
    ).json();
    const res = await env.api('POST', '/v1/orders/micropay', {
      mch_order_no: `ABN-${++seq}`,
      amount,
      subject: 'Noodles',
      auth_code: (code as { auth_code: string }).auth_code,
    });
    expect(res.body).toMatchObject({ status: 'succeeded', channel: 'wechatpay' });
    return res.body as { id: string };
  };

  it('pay, refund → abnormal (counted as refunded), the rest and no more, redirect → succeeded', async () => {
    const order = await paidWechatOrder(1000);
    expect((await sandboxFault('refund')).status).toBe(200);
    const created = await env.api('POST', '/v1/refunds', {
      order_id: order.id,
      mch_refund_no: 'a1',
      amount: 600,
    });
    expect(created.status).toBe(201);
    const abnormal = await settled(created.body.id, 'the refund to become abnormal');
    expect(abnormal).toMatchObject({ status: 'abnormal', failure_code: 'ABNORMAL', amount: 600 });
    expect(abnormal.abnormal_at).toEqual(expect.any(String));
    expect(abnormal.channel_refund_no).toMatch(/^5\d{28}$/);
    // the money left the merchant: counted as refunded, and only the rest is refundable
    expect((await env.api('GET', `/v1/orders/${order.id}`)).body.amount_refunded).toBe(600);
    const over = await env.api('POST', '/v1/refunds', {
      order_id: order.id,
      mch_refund_no: 'a2',
      amount: 401,
    });
    expect(over.status).toBe(422);
    expect(over.body.error.param).toBe('amount');
    const rest = await env.api('POST', '/v1/refunds', {
      order_id: order.id,
      mch_refund_no: 'a3',
      amount: 400,
    });
    expect(rest.status).toBe(201);
    expect((await settled(rest.body.id, 'the rest')).status).toBe('succeeded');
    expect((await env.api('GET', `/v1/orders/${order.id}`)).body.amount_refunded).toBe(1000);

    // operators see it
    const listed = await admin('GET', `/admin/v1/refunds?status=abnormal&order_id=${order.id}`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
    expect(listed.body.data[0]).toMatchObject({ status: 'abnormal', abnormal_applied_at: null });

    // bad redirections are 4xx naming the field; a refund that is not abnormal is a conflict
    const url = `/admin/v1/refunds/${created.body.id}/apply-abnormal-refund`;
    const card = {
      type: 'USER_BANK_CARD',
      bank_type: 'ICBC_DEBIT',
      bank_account: '6222020000004321',
      real_name: '李四',
    };
    for (const [body, param] of [
      [{ ...card, bank_account: undefined }, 'bank_account'],
      [{ ...card, bank_type: 'ICBC_CREDIT' }, 'bank_type'],
      [{ ...card, bank_account: '6222-0200' }, 'bank_account'],
      [{ type: 'MERCHANT_BANK_CARD', bank_type: 'ICBC_DEBIT' }, 'bank_type'],
    ] as const) {
      const res = await admin('POST', url, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.param).toBe(param);
    }
    expect((await admin('POST', url, { ...card, real_name: 'a\u0000b' })).status).toBe(400);
    expect((await admin('POST', url, { type: 'OTHER' })).status).toBe(400);
    const notAbnormal = await admin('POST', `/admin/v1/refunds/${rest.body.id}/apply-abnormal-refund`, card);
    expect(notAbnormal.status).toBe(409);

    // redirected to the customer's other card: pending again, then succeeded, counted once
    const applied = await admin('POST', url, card);
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ status: 'pending', abnormal_target: 'USER_BANK_CARD' });
    expect(applied.body.abnormal_applied_at).toEqual(expect.any(String));
    const done = await settled(created.body.id, 'the redirected refund');
    expect(done).toMatchObject({ status: 'succeeded', abnormal_at: abnormal.abnormal_at });
    expect((await env.api('GET', `/v1/orders/${order.id}`)).body.amount_refunded).toBe(1000);

    // the merchant was told: abnormal, then succeeded
    const events = (await env.api('GET', `/v1/events?object_id=${created.body.id}`)).body.data as Array<{
      type: string;
      sequence: number;
    }>;
    expect(events.map((e) => e.type).sort()).toEqual(['refund.abnormal', 'refund.succeeded']);
    // the redirection is audited, without the card number or the holder's name
    const audited = await ctx.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('object_id', '=', created.body.id)
      .execute();
    expect(audited.map((a) => a.action)).toEqual(['refund.apply_abnormal_refund']);
    const logged = JSON.stringify(audited[0]);
    expect(logged).toContain('4321');
    expect(logged).not.toContain('6222020000004321');
    expect(logged).not.toContain('李四');
  });

  it('abnormal again after a redirection; then back to the merchant’s account', async () => {
    const order = await paidWechatOrder(500);
    await sandboxFault('refund');
    const created = await env.api('POST', '/v1/refunds', {
      order_id: order.id,
      mch_refund_no: 'b1',
      amount: 500,
    });
    expect((await settled(created.body.id, 'abnormal')).status).toBe('abnormal');
    await sandboxFault('apply_abnormal_refund');
    const url = `/admin/v1/refunds/${created.body.id}/apply-abnormal-refund`;
    expect((await admin('POST', url, { type: 'MERCHANT_BANK_CARD' })).body.status).toBe('pending');
    expect((await settled(created.body.id, 'abnormal again')).status).toBe('abnormal');
    expect((await env.api('GET', `/v1/orders/${order.id}`)).body.amount_refunded).toBe(500); // counted once
    expect((await admin('POST', url, { type: 'MERCHANT_BANK_CARD' })).body.status).toBe('pending');
    expect((await settled(created.body.id, 'the second redirection')).status).toBe('succeeded');
    expect((await env.api('GET', `/v1/orders/${order.id}`)).body.amount_refunded).toBe(500);
    const types = (
      (await env.api('GET', `/v1/events?object_id=${created.body.id}`)).body.data as Array<{ type: string }>
    )
      .map((e) => e.type)
      .sort();
    expect(types).toEqual(['refund.abnormal', 'refund.abnormal', 'refund.succeeded']);
  });

  it('a redirection the channel could not take is 502 and can be retried; one whose answer was lost is not sent twice', async () => {
    const order = await paidWechatOrder(300);
    await sandboxFault('refund');
    const created = await env.api('POST', '/v1/refunds', {
      order_id: order.id,
      mch_refund_no: 'c1',
      amount: 300,
    });
    const ended = await settled(created.body.id, 'abnormal');
    expect(ended.status, JSON.stringify(ended)).toBe('abnormal');
    const url = `/admin/v1/refunds/${created.body.id}/apply-abnormal-refund`;
    await fetch(`${env.sandbox.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ channel: 'wechatpay', operation: 'apply_abnormal_refund', mode: 'error_5xx' }),
    });
    const busy = await admin('POST', url, { type: 'MERCHANT_BANK_CARD' });
    expect(busy.status).toBe(502);
    expect(busy.body.error.type).toBe('channel_error');
    expect((await env.api('GET', `/v1/refunds/${created.body.id}`)).body.status).toBe('abnormal');
    // the channel took an earlier application whose answer never reached us: asking again finds
    // the refund PROCESSING at WeChat (which refuses a second application) and records it
    const row = await ctx.database.db
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    // hold the channel's notification about it back, so only the query can tell us
    await fetch(`${env.sandbox.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ channel: 'wechatpay', operation: 'notify', mode: 'reorder_notify' }),
    });
    const wechat = env.t.ctx.channels.adapter('wechatpay');
    const config = await env.t.ctx.channels.config(row.merchant_id, 'wechatpay');
    const o = await ctx.database.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', order.id)
      .executeTakeFirstOrThrow();
    await wechat.applyAbnormalRefund!(
      config,
      {
        outTradeNo: o.id,
        channelTradeNo: o.channel_trade_no ?? undefined,
        outRefundNo: row.id,
        amount: row.amount,
        total: o.amount,
        notifyUrl: `${env.baseUrl}/notify/wechatpay/${o.merchant_id}`,
        orderCreatedAt: o.created_at,
        channelRefundNo: row.channel_refund_no!,
      },
      { type: 'MERCHANT_BANK_CARD' },
    );
    const again = await admin('POST', url, { type: 'MERCHANT_BANK_CARD' });
    expect(again.status).toBe(200);
    // PROCESSING or already SUCCESS at WeChat, as the query found it
    expect(['pending', 'succeeded']).toContain(again.body.status);
    expect(again.body).toMatchObject({ abnormal_target: 'MERCHANT_BANK_CARD' });
    expect((await settled(created.body.id, 'the redirected refund')).status).toBe('succeeded');
    expect((await env.api('GET', `/v1/orders/${order.id}`)).body.amount_refunded).toBe(300);
  });

  it('an unknown refund is 404, an unknown status filter 400', async () => {
    const missing = await admin(
      'POST',
      '/admin/v1/refunds/rfd_00000000000000000000000000/apply-abnormal-refund',
      {
        type: 'MERCHANT_BANK_CARD',
      },
    );
    expect(missing.status).toBe(404);
    const bad = await admin('GET', '/admin/v1/refunds?status=lost');
    expect(bad.status).toBe(400);
  });
});
