import type { ChannelId, PayWay } from '../channels/channel.js';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { QueryCreator } from 'kysely';
import {
  asStoredJsonb,
  inTransaction,
  prepared,
  type Db,
  type Tables,
  type Tx,
} from '../platform/db/index.js';
import { bookLatePayment, bookPaymentSucceeded, paymentBooking } from '../ledger/index.js';
import { rateSources, type RateSources } from '../fees/index.js';
import { orderEventWrites, type TransitionDeps } from './events.js';
import { nextOrderState, type ExceptionKind, type OrderInput, type ReverseStatus } from './order-machine.js';
import type { OrderRow } from './order-view.js';
import { confirmReverse } from './reverse-rows.js';

/**
 * Applies one input to an order in one transaction: lock the row, ask the pure machine, write the
 * new state, the exception if any, and the event (outbox + webhook). Duplicate and stale inputs
 * change nothing and emit nothing, so a channel notification is processed at most once per state
 * change however often it arrives.
 */

/** What the channel told us along with the input, recorded on the order when it applies. */
export interface ChannelFacts {
  channel?: ChannelId;
  payWay?: PayWay;
  channelTradeNo?: string | undefined;
  payer?: Record<string, string> | undefined;
  paidAt?: Date | undefined;
  amount?: number | undefined;
  failureCode?: string | undefined;
  failureMessage?: string | undefined;
}

export interface TransitionResult {
  order: OrderRow;
  changed: boolean;
  exception?: ExceptionKind;
}

// what every transition needs; declared with the events it emits (events.ts), re-exported here
export type { TransitionDeps };

export async function lockOrder(tx: Tx, orderId: string): Promise<OrderRow> {
  const order = await tx
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!order) throw new ApiError('resource_missing', `no order ${orderId}`, 'id');
  return order;
}

/**
 * lockOrder, plus in the same statement the merchant's fee rate sources (a payment that succeeds
 * snapshots its fee without a round trip of its own) and the order's reverse status (what the
 * channel reports means something else while JuhePay reverses the payment): the notification's
 * hot path reads everything it decides on in one round trip.
 */
async function lockOrderWithFacts(
  tx: Tx,
  orderId: string,
): Promise<{
  order: OrderRow;
  sources: RateSources | null;
  reverse: ReverseStatus | undefined;
  /** the fee of the order's snapshot from before, if it has one */
  priorFee: number | null;
}> {
  const query = tx
    .selectFrom('orders')
    .selectAll()
    .select((eb) => rateSources(eb.ref('orders.merchant_id')).as('rate_sources'))
    .select((eb) =>
      eb
        .selectFrom('order_fees')
        .select('order_fees.fee')
        .whereRef('order_fees.order_id', '=', 'orders.id')
        .as('prior_fee'),
    )
    .select((eb) =>
      eb
        .selectFrom('order_reverses')
        .select('order_reverses.status')
        .whereRef('order_reverses.order_id', '=', 'orders.id')
        .as('reverse_status'),
    )
    .where('id', '=', orderId)
    .forUpdate()
    .compile();
  const row = (await tx.executeQuery(prepared(query))).rows[0];
  if (!row) throw new ApiError('resource_missing', `no order ${orderId}`, 'id');
  const { rate_sources: sources, reverse_status: reverse, prior_fee: priorFee, ...order } = row;
  return { order, sources, reverse: reverse ?? undefined, priorFee };
}

export function transitionOrder(
  db: Db,
  orderId: string,
  input: OrderInput,
  facts: ChannelFacts,
  deps: TransitionDeps,
) {
  return inTransaction(db, (tx) => transitionLocked(tx, orderId, input, facts, deps));
}

export async function transitionLocked(
  tx: Tx,
  orderId: string,
  input: OrderInput,
  facts: ChannelFacts,
  deps: TransitionDeps,
): Promise<TransitionResult> {
  const locked = await lockOrderWithFacts(tx, orderId);
  const { order, sources } = locked;
  const reverse = input.type === 'channel_reported' ? locked.reverse : undefined;
  const t = nextOrderState(order.status, order.amount, input, reverse);
  const now = deps.clock.now();
  if (t.exception) await recordException(tx, order, t.exception, facts, now);
  if (t.reverseConfirmed && input.type === 'channel_reported')
    await confirmReverse(
      tx,
      orderId,
      { action: input.state === 'refunded' ? 'refund' : undefined, code: facts.failureCode },
      now,
    );
  if (t.status === order.status)
    return { order, changed: false, ...(t.exception ? { exception: t.exception } : {}) };

  // the ledger books a payment with its state change (fee snapshot, queued entry): order.fee.
  // With the rate sources read at the lock, both ride on the UPDATE below (no round trip).
  const paid = t.status === 'succeeded' ? { ...order, channel: facts.channel ?? order.channel } : undefined;
  const booking = paid && sources ? paymentBooking(paid, now, sources) : undefined;
  // an order snapshotted before keeps that snapshot (read under the lock): its fee stands
  const fee = booking
    ? (locked.priorFee ?? booking.fee)
    : paid
      ? await bookPaymentSucceeded(tx, paid, now)
      : undefined;
  const set = {
    status: t.status,
    updated_at: now,
    ...(fee !== undefined ? { fee } : {}),
    ...(facts.channel ? { channel: facts.channel } : {}),
    ...(facts.payWay ? { pay_way: facts.payWay } : {}),
    ...(facts.channelTradeNo ? { channel_trade_no: facts.channelTradeNo } : {}),
    ...(t.status === 'succeeded' ? { paid_at: facts.paidAt ?? now } : {}),
    ...(t.status === 'failed'
      ? { failure_code: facts.failureCode ?? null, failure_message: facts.failureMessage ?? null }
      : {}),
  };
  const payer = t.status === 'succeeded' && facts.payer ? facts.payer : undefined;
  // The event's object is the row after this UPDATE, known before it runs (the row is locked and
  // `set` is all that changes), so the event's writes ride on the UPDATE as CTEs: one round trip.
  const event = t.event
    ? orderEventWrites({ ...order, ...set, ...(payer ? { payer: asStoredJsonb(payer) } : {}) }, t.event, deps)
    : undefined;
  let writer = booking ? booking.attach(tx) : tx;
  for (const [name, query] of event?.ctes ?? [])
    writer = writer.with(name, () => query as never) as unknown as QueryCreator<Tables>;
  // prepared: the statement's text (kilobytes with its CTEs) is sent and planned once per connection
  const update = writer
    .updateTable('orders')
    .set({ ...set, ...(payer ? { payer: JSON.stringify(payer) } : {}) })
    .where('id', '=', orderId)
    .returningAll()
    .compile();
  const updated = (await tx.executeQuery(prepared(update))).rows[0];
  if (!updated) throw new Error(`order ${orderId} vanished under its lock`);
  return { order: updated, changed: true };
}

async function recordException(
  tx: Tx,
  order: OrderRow,
  kind: ExceptionKind,
  facts: ChannelFacts,
  now: Date,
): Promise<void> {
  await tx
    .insertInto('payment_exceptions')
    .values({
      id: newId('exception', now.getTime()),
      order_id: order.id,
      kind,
      channel: facts.channel ?? order.channel,
      channel_trade_no: facts.channelTradeNo ?? order.channel_trade_no,
      amount: facts.amount ?? null,
      details: JSON.stringify({
        order_status: order.status,
        payer: facts.payer ?? null,
        paid_at: facts.paidAt?.toISOString() ?? null,
      }),
      resolution: null,
      created_at: now,
      resolved_at: null,
    })
    .onConflict((oc) => oc.columns(['order_id', 'kind']).doNothing())
    .execute();
  const channel = facts.channel ?? order.channel;
  if (kind === 'late_payment' && facts.amount && channel)
    // money held in suspense (booked once)
    await bookLatePayment(
      tx,
      { orderId: order.id, merchantId: order.merchant_id, channel, amount: facts.amount },
      now,
    );
}
