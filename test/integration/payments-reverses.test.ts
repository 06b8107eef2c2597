import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChannelError, type Channel } from '../../src/channels/channel.js';
import { transitionOrder } from '../../src/payments/order-transitions.js';
import { describeEachEngine } from '../support/db.js';
import { startPaymentsEnv, type PaymentsEnv } from '../support/payments.js';

/**
 * Reverses (撤销) of payment codes as operations of their own, against the sandbox channels over
 * real HTTP: a refused query means "unknown" (reverse), a reverse whose answer was lost is asked
 * again, and a payment JuhePay reversed is never read back as paid.
 */
describeEachEngine('payment-code reverses', (ctx) => {
  let env: PaymentsEnv;
  let refuseQueries = false;
  let reversals = 0;
  // the channel refuses queries while the flag is set (as a channel may: permissions, a bad state)
  const wrap = (channel: Channel): Channel => ({
    ...channel,
    query: async (config, order) => {
      if (refuseQueries) throw new ChannelError('rejected', `${channel.id} query refused`, 'REFUSED');
      return channel.query(config, order);
    },
    reverse: async (config, reverse) => {
      reversals += 1;
      return channel.reverse(config, reverse);
    },
  });
  beforeAll(async () => {
    env = await startPaymentsEnv(ctx.database, { wrap });
  });
  afterAll(() => env.close());

  const fault = (channel: string, operation: string, mode: string, count = 1) =>
    fetch(`${env.sandbox.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ channel, operation, mode, count }),
    });
  const paycode = async (wallet: string, scenario: string) => {
    const res = await fetch(`${env.sandbox.url}/sandbox/paycodes`, {
      method: 'POST',
      body: JSON.stringify({ wallet, scenario }),
    });
    return ((await res.json()) as { auth_code: string }).auth_code;
  };
  let seq = 0;
  const micropay = async (wallet: string, scenario: string, amount = 880) =>
    env.api('POST', '/v1/orders/micropay', {
      mch_order_no: `RV-${wallet}-${scenario}-${++seq}`,
      amount,
      subject: 'Bun',
      auth_code: await paycode(wallet, scenario),
    });
  const order = async (id: string) => (await env.api('GET', `/v1/orders/${id}`)).body;
  const reverseRow = (id: string) =>
    ctx.database.db.selectFrom('order_reverses').selectAll().where('order_id', '=', id).executeTakeFirst();
  const exceptions = (id: string) =>
    ctx.database.db.selectFrom('payment_exceptions').selectAll().where('order_id', '=', id).execute();
  /** runs the settle job (and what else is due) until the order is final */
  const settled = (id: string) =>
    env.eventually(async () => {
      await env.sandbox.advance(10_000);
      await env.runJobs();
      const o = await order(id);
      return ['succeeded', 'failed', 'closed'].includes(o.status) ? o : undefined;
    }, `order ${id} to end`);

  it('a refused query is not a failed payment: the code is reversed and the money goes back', async () => {
    // fails before the fix: the first refused query marked the order failed and it was never
    // reversed, while the customer finished the password and was charged
    refuseQueries = true;
    try {
      const res = await micropay('wechat', 'password');
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('paying');
      await env.sandbox.advance(30_000);
      const end = await settled(res.body.id);
      expect(end.status).toBe('closed');
      expect(await reverseRow(res.body.id)).toMatchObject({ status: 'succeeded', channel: 'wechatpay' });
    } finally {
      refuseQueries = false;
    }
  });

  it('a reverse whose answer was lost is asked again, and the refunded trade never reads as paid', async () => {
    // Alipay charges the code but its answer is lost, queries fail, the success notification is held
    // back until the next one: JuhePay cannot know, so it reverses; the cancel's answer is lost too.
    await fault('alipay', 'pay', 'lost_answer');
    await fault('alipay', 'notify', 'reorder_notify');
    await fault('alipay', 'query', 'system_error', 20); // every query, until the faults are cleared
    await fault('alipay', 'cancel', 'lost_answer');
    const before = reversals;
    const res = await micropay('alipay', 'success', 990);
    expect(res.body.status).toBe('paying');
    await env.sandbox.advance(30_000);
    const end = await settled(res.body.id);
    await fetch(`${env.sandbox.url}/sandbox/faults`, { method: 'DELETE' });
    expect(end.status).toBe('closed'); // never `succeeded`: the money went back to the customer
    expect(reversals - before).toBeGreaterThanOrEqual(1);
    const row = await reverseRow(res.body.id);
    expect(row).toMatchObject({ status: 'succeeded', channel: 'alipay' });
    expect(row!.attempts).toBeGreaterThanOrEqual(1);
    // the held-back TRADE_SUCCESS and any later query are about the payment the cancel refunded
    await env.sandbox.advance(1_000); // the cancel is confirmed; every notification has been delivered
    expect(env.sandbox.ctx.notifier.pending()).toBe(0);
    await env.runJobs();
    expect((await order(res.body.id)).status).toBe('closed');
    expect(await exceptions(res.body.id)).toEqual([]);
    const alipay = env.t.ctx.channels.adapter('alipay');
    const { merchant_id } = await ctx.database.db
      .selectFrom('orders')
      .select('merchant_id')
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    const config = await env.t.ctx.channels.config(merchant_id, 'alipay');
    const status = await alipay.query(config, { outTradeNo: res.body.id, createdAt: new Date() });
    expect(status).toMatchObject({ state: 'refunded', amount: 990 }); // TRADE_CLOSED with send_pay_date
  });

  it('UnionPay: a paid code JuhePay reversed ends closed, though the original still reads 00 after the cancel', async () => {
    // the payment's notification is held back until the cancel's; queries fail, so JuhePay reverses
    await fault('unionpay', 'notify', 'reorder_notify');
    await fault('unionpay', 'query', 'system_error', 6); // the 5 polls while answering, and the settle job's
    const res = await micropay('unionpay', 'success', 770);
    expect(res.body.status).toBe('paying');
    await env.sandbox.advance(30_000);
    const end = await settled(res.body.id);
    await fetch(`${env.sandbox.url}/sandbox/faults`, { method: 'DELETE' });
    expect(end.status).toBe('closed');
    expect(await reverseRow(res.body.id)).toMatchObject({ status: 'succeeded', channel: 'unionpay' });
    await env.sandbox.advance(1_000); // the cancel is confirmed: its notification, then the held-back one (00)
    expect(env.sandbox.ctx.notifier.pending()).toBe(0);
    await env.runJobs();
    expect((await order(res.body.id)).status).toBe('closed');
    expect(await exceptions(res.body.id)).toEqual([]); // not a late payment: it was given back
    const { merchant_id } = await ctx.database.db
      .selectFrom('orders')
      .select(['merchant_id'])
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    const unionpay = env.t.ctx.channels.adapter('unionpay');
    const row = await ctx.database.db
      .selectFrom('orders')
      .select(['channel_order_created_at'])
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    const original = await unionpay.query(await env.t.ctx.channels.config(merchant_id, 'unionpay'), {
      outTradeNo: res.body.id,
      createdAt: row.channel_order_created_at!,
    });
    expect(original).toMatchObject({ state: 'succeeded', amount: 770 }); // ACP: the original stays 00
  });

  it('paid, then refunded outside JuhePay: succeeded, with an exception for an operator', async () => {
    const created = await env.api('POST', '/v1/orders', {
      mch_order_no: `RV-OUT-${++seq}`,
      amount: 500,
      subject: 'x',
    });
    await ctx.database.db
      .updateTable('orders')
      .set({ status: 'paying', channel: 'alipay', pay_way: 'alipay_micropay' })
      .where('id', '=', created.body.id)
      .execute();
    const { order: after } = await transitionOrder(
      ctx.database.db,
      created.body.id,
      { type: 'channel_reported', state: 'refunded', amount: 500 },
      { channel: 'alipay', channelTradeNo: '2026120422001', amount: 500 },
      env.t.ctx,
    );
    expect(after.status).toBe('succeeded');
    expect(await exceptions(created.body.id)).toMatchObject([
      { kind: 'refunded_at_channel', channel: 'alipay', amount: 500, status: 'open' },
    ]);
  });
});
