import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import {
  accountTotals,
  bookQueued,
  drainBookings,
  merchantAccounts,
  postingTotals,
  queueBooking,
  BOOKING_QUEUE,
  type EntryDraft,
} from '../../src/ledger/index.js';
import { transitionOrder } from '../../src/payments/order-transitions.js';
import { inTransaction } from '../../src/platform/db/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { adminClient } from '../support/admin.js';
import { merchantClient } from '../support/merchant-api.js';

/**
 * Deferred booking (src/ledger/booking.ts): a payment queues its entry with its state change and
 * the consumer books it exactly once — after a crash between the two, after a crash of the
 * consumer itself, and when the same event is queued again. Also the default fee plans.
 */
describeEachEngine('ledger: deferred booking, exactly once', (ctx) => {
  let t: TestApp;
  const admin = adminClient(() => t.app);
  const merchant = merchantClient(
    () => t.app,
    () => t.credentials,
    () => t.clock,
  );
  let n = 0;
  /** an order created through the API, then paid by a channel's report (amount fen, WeChat) */
  const pay = async (amount: number) => {
    const res = await merchant('POST', '/v1/orders', {
      mch_order_no: `BK-${++n}`,
      amount,
      subject: 'booking',
    });
    expect(res.status).toBe(201);
    const id = (res.body as { id: string }).id;
    await ctx.database.db.updateTable('orders').set({ status: 'paying' }).where('id', '=', id).execute();
    const { order, changed } = await transitionOrder(
      ctx.database.db,
      id,
      { type: 'channel_reported', state: 'succeeded', amount },
      { channel: 'wechatpay', payWay: 'wechat_jsapi', channelTradeNo: `4200${n}` },
      { clock: t.clock, publicUrl: 'http://127.0.0.1:3000' },
    );
    expect(changed).toBe(true);
    return order;
  };
  const entries = async () =>
    Number(
      (
        await ctx.database.db
          .selectFrom('ledger_entries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const pending = async () => {
    const account = merchantAccounts(t.merchantId).pending;
    const line = (await accountTotals(ctx.database.db)).find((a) => a.account === account);
    return (line?.credit ?? 0) - (line?.debit ?? 0);
  };
  const queued = async () =>
    Number(
      (
        await ctx.database.db
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('queue', '=', BOOKING_QUEUE)
          .where('status', '=', 'queued')
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await createTestApp(ctx.database, { risk: false });
  });
  afterAll(() => t.close());

  it('sets the default fee plans (installation and institution) with validation, and they apply', async () => {
    const m = await ctx.database.db
      .selectFrom('merchants')
      .select('institution_id')
      .where('id', '=', t.merchantId)
      .executeTakeFirstOrThrow();
    expect((await admin('GET', '/fee-plans/default')).status).toBe(404);
    // refused: a negative rate, an unknown field, a rate over 100 %, a bad owner, a missing institution
    expect((await admin('PUT', '/fee-plans/default', { rates: { wechatpay: -1 } })).status).toBe(400);
    expect((await admin('PUT', '/fee-plans/default', { rates: {}, extra: 1 })).status).toBe(400);
    expect((await admin('PUT', '/fee-plans/default', { rates: { wechatpay: 1_000_001 } })).status).toBe(400);
    expect((await admin('PUT', '/fee-plans/default', { rates: { 'Bad Channel': 3000 } })).status).toBe(400);
    expect((await admin('PUT', '/fee-plans/default', {})).status).toBe(400);
    expect((await admin('PUT', '/fee-plans/everyone', { rates: {} })).status).toBe(400);
    const missing = await admin('PUT', `/fee-plans/${newId('institution')}`, { rates: {} });
    expect(missing.status).toBe(404);
    expect(missing.body.error.param).toBe('owner');

    const set = await admin('PUT', '/fee-plans/default', { rates: { wechatpay: 6000 } });
    expect(set).toEqual({
      status: 200,
      body: { object: 'fee_plan', owner: 'default', rates: { wechatpay: 6000 } },
    });
    expect((await admin('GET', '/fee-plans/default')).body.rates).toEqual({ wechatpay: 6000 });
    // no merchant plan, no institution plan: the installation's default applies (0.60 % of 10 000)
    expect((await pay(10_000)).fee).toBe(60);
    // the institution's own plan wins over the default
    expect(
      (await admin('PUT', `/fee-plans/${m.institution_id}`, { rates: { wechatpay: 3000 } })).status,
    ).toBe(200);
    expect((await pay(10_000)).fee).toBe(30);
    await drainBookings(ctx.database.db, { clock: t.clock });
  });

  it('books a payment whose booking was interrupted exactly once', async () => {
    const before = await entries();
    const balance = await pending();
    const order = await pay(20_000); // committed: state, fee snapshot and queued entry
    expect(order.fee).toBe(60);
    expect(await queued()).toBe(1);
    expect(await entries()).toBe(before); // not booked yet: the balance lags
    // the consumer crashes before its commit: nothing of the batch stays, the draft stays queued
    await expect(
      bookQueued(ctx.database.db, {
        clock: t.clock,
        beforeCommit: () => {
          throw new Error('crash');
        },
      }),
    ).rejects.toThrow('crash');
    expect(await entries()).toBe(before);
    expect(await queued()).toBe(1);
    expect(await drainBookings(ctx.database.db, { clock: t.clock })).toBe(1);
    expect(await entries()).toBe(before + 1);
    expect(await pending()).toBe(balance + 20_000 - 60);
    expect(await drainBookings(ctx.database.db, { clock: t.clock })).toBe(0);

    // the same event queued again (its job pruned meanwhile): taken, but nothing written twice
    const entry = await ctx.database.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('source', '=', order.id)
      .executeTakeFirstOrThrow();
    const postings = await ctx.database.db
      .selectFrom('ledger_postings')
      .select(['account', 'amount'])
      .where('entry_id', '=', entry.id)
      .execute();
    const draft: EntryDraft = {
      eventKey: entry.event_key,
      type: entry.type,
      balanceType: entry.balance_type,
      source: entry.source,
      merchantId: entry.merchant_id,
      amount: entry.amount,
      fee: entry.fee,
      net: entry.net,
      postings: postings.map((p) => ({ account: p.account, amount: Number(p.amount) })),
    };
    await ctx.database.db.deleteFrom('jobs').where('queue', '=', BOOKING_QUEUE).execute();
    await inTransaction(ctx.database.db, (tx) => queueBooking(tx, draft, t.clock.now()));
    expect(await drainBookings(ctx.database.db, { clock: t.clock })).toBe(1);
    expect(await entries()).toBe(before + 1);
    expect(await pending()).toBe(balance + 20_000 - 60);
  });

  it('books many payments in batches, the cache equal to the postings', async () => {
    const before = await entries();
    const balance = await pending();
    const amounts = Array.from({ length: 23 }, (_, i) => 101 + i * 997);
    for (const a of amounts) await pay(a);
    let batches = 0;
    while ((await bookQueued(ctx.database.db, { clock: t.clock, batch: 5 })) > 0) batches += 1;
    expect(batches).toBe(5); // 5 + 5 + 5 + 5 + 3
    expect(await entries()).toBe(before + amounts.length);
    const fees = amounts.map((a) => Math.floor((2 * a * 3000 + 1e6) / 2e6)); // half-up 0.30 %
    expect(await pending()).toBe(balance + amounts.reduce((s, a, i) => s + a - fees[i]!, 0));
    expect(await accountTotals(ctx.database.db)).toEqual(await postingTotals(ctx.database.db));
    const { rows } = await sql<{
      total: string;
    }>`select coalesce(sum(amount), 0) as total from ledger_postings`.execute(ctx.database.db);
    expect(Number(rows[0]!.total)).toBe(0); // the trial balance is zero
  });
});
