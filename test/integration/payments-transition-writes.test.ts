import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_PLAN, DEMO_PRICING, putFeePlan, putPricing, snapshotOrderFee } from '../../src/fees/index.js';
import { eventBody, type WebhookEventType } from '../../src/notifications/events.js';
import { transitionOrder } from '../../src/payments/order-transitions.js';
import { toOrderObject } from '../../src/payments/order-view.js';
import { inTransaction } from '../../src/platform/db/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { signedHeaders } from '../support/signing.js';

/**
 * A channel's "paid" is written in two statements after the lock: the order's UPDATE carries the
 * fee snapshot, the queued entry and the webhook event (sequence, events row, outbox, delivery
 * job) as CTEs. The event's object is built from the row as it will be after the UPDATE, so these
 * check it against the row the database actually holds, byte for byte.
 */
describeEachEngine('order transition: the event written with the UPDATE', (ctx) => {
  let t: TestApp;
  const publicUrl = 'http://127.0.0.1:3000';
  let n = 0;
  beforeAll(async () => {
    t = await createTestApp(ctx.database, { risk: false, publicUrl });
    const now = t.clock.now();
    await putPricing(ctx.database.db, 'default', DEMO_PRICING, now);
    await putFeePlan(ctx.database.db, 'default', DEMO_PLAN, now);
  });
  afterAll(() => t.close());

  const payingOrder = async (amount: number) => {
    const body = JSON.stringify({ mch_order_no: `TW-${++n}`, amount, subject: 'writes' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      payload: body,
      headers: signedHeaders(t.credentials, 'POST', '/v1/orders', body, Math.floor(t.clock.nowMs() / 1000)),
    });
    expect(res.statusCode).toBe(201);
    const id = (res.json() as { id: string }).id;
    await ctx.database.db.updateTable('orders').set({ status: 'paying' }).where('id', '=', id).execute();
    return id;
  };
  const paid = (id: string, payer?: Record<string, string>) =>
    transitionOrder(
      ctx.database.db,
      id,
      { type: 'channel_reported', state: 'succeeded', amount: 10_000 },
      {
        channel: 'wechatpay',
        payWay: 'wechat_jsapi',
        channelTradeNo: `4200${id.slice(-8)}`,
        paidAt: new Date(t.clock.nowMs() - 1234),
        ...(payer ? { payer } : {}),
      },
      { clock: t.clock, publicUrl },
    );
  /** the order as stored, its one event and what the event wrote beside it */
  const written = async (id: string) => {
    const db = ctx.database.db;
    const row = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const events = await db.selectFrom('webhook_events').selectAll().where('object_id', '=', id).execute();
    expect(events).toHaveLength(1);
    const event = events[0]!;
    // the outbox message has its own id; it carries the event
    const outbox = await db
      .selectFrom('outbox')
      .select(['topic', 'payload'])
      .where(sql<string>`payload->>'id'`, '=', (JSON.parse(event.body) as { id: string }).id)
      .execute();
    return { row, event, outbox };
  };

  it('writes the event of the row as stored: same bytes, sequence, outbox message and delivery job', async () => {
    const id = await payingOrder(10_000);
    // keys in an order jsonb does not keep (longer first, non-ASCII): the stored form is what shows
    const payer = { sub_openid: 's-1', openid: 'o-1', é: 'x', a: 'y' };
    const { order, changed } = await paid(id, payer);
    expect(changed).toBe(true);
    const { row, event, outbox } = await written(id);
    expect(order).toEqual(row);
    expect(row.fee).toBe(30); // 0.30 % of 100.00 yuan
    expect(row.payer).toEqual(payer);
    const body = eventBody(
      (JSON.parse(event.body) as { id: string }).id,
      'order.succeeded',
      event.created_at,
      1,
      toOrderObject(row, publicUrl),
    );
    expect(event.body).toBe(body);
    expect(event).toMatchObject({
      sequence: 1,
      type: 'order.succeeded',
      status: 'pending',
      object_type: 'order',
    });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.topic).toBe('order.succeeded');
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(outbox[0]!.payload).toEqual({ ...parsed, app_id: row.app_id, merchant_id: row.merchant_id });
    const jobs = await ctx.database.db
      .selectFrom('jobs')
      .select(['queue', 'payload', 'dedupe_key'])
      .where('dedupe_key', 'in', [`webhook:${String(parsed.id)}:1`, `ledger:payment_succeeded:${id}`])
      .orderBy('queue')
      .execute();
    expect(jobs.map((j) => j.queue)).toEqual(['ledger.book', 'webhook']);
    expect(jobs[1]!.payload).toEqual({ event_id: parsed.id, round: 1 });
    // a duplicate report changes nothing and writes no second event
    expect((await paid(id, payer)).changed).toBe(false);
    expect((await written(id)).event.id).toBe(event.id);
  });

  it('keeps the fee of a snapshot taken before, in the row and in the event', async () => {
    const id = await payingOrder(10_000);
    const merchantId = t.merchantId;
    // a snapshot from before (as if of 1 000.00 yuan): it stands, and the event says so
    await inTransaction(ctx.database.db, (tx) =>
      snapshotOrderFee(
        tx,
        { id, merchant_id: merchantId, channel: 'wechatpay', amount: 100_000 },
        t.clock.now(),
      ),
    );
    const { order } = await paid(id);
    const { row, event } = await written(id);
    expect(row.fee).toBe(300);
    expect(order).toEqual(row);
    const type: WebhookEventType = 'order.succeeded';
    expect(event.body).toBe(
      eventBody(
        (JSON.parse(event.body) as { id: string }).id,
        type,
        event.created_at,
        1,
        toOrderObject(row, publicUrl),
      ),
    );
  });
});
