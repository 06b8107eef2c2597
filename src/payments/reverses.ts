import { sql } from 'kysely';
import type { ReverseRequest, ReverseResult } from '../channels/channel.js';
import type { Clock } from '../core/clock.js';
import { inTransaction, type Db, type Tx } from '../platform/db/index.js';
import { channelOrderFor } from './channel-calls.js';
import { isFinal } from './order-machine.js';
import { lockOrder, transitionLocked, type TransitionDeps } from './order-transitions.js';
import type { OrderRow } from './order-view.js';
import { reverseOf, type ReverseRow } from './reverse-rows.js';

/**
 * A reverse (撤销) of a payment-code order, as an operation of its own: decided once (in the
 * order's lock, only while the order is open), attempted until the channel gives an outcome, and
 * recorded with every attempt. Its outcome ends the order: confirmed → closed, in the same
 * transaction; refused → the payment stands and the order ends as the channel's query says.
 */

/** Decides to reverse an open order; the existing reverse if there is one, undefined if the order is final. */
export function beginReverse(db: Db, order: OrderRow, clock: Clock): Promise<ReverseRow | undefined> {
  return inTransaction(db, async (tx) => {
    const locked = await lockOrder(tx, order.id);
    const existing = await reverseOf(tx, order.id);
    if (existing) return existing;
    if (isFinal(locked.status) || !locked.channel) return undefined;
    const now = clock.now();
    return tx
      .insertInto('order_reverses')
      .values({
        order_id: order.id,
        channel: locked.channel,
        status: 'pending',
        action: null,
        requested_at: now,
        last_attempt_at: null,
        channel_reverse_no: null,
        result_code: null,
        result_message: null,
        created_at: now,
        updated_at: now,
        confirmed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** The request every attempt of this reverse sends: the same values each time. */
export function reverseRequestOf(order: OrderRow, reverse: ReverseRow, publicUrl: string): ReverseRequest {
  const o = channelOrderFor(order, publicUrl);
  return {
    outTradeNo: o.outTradeNo,
    createdAt: o.createdAt,
    requestedAt: reverse.requested_at,
    notifyUrl: o.notifyUrl || undefined,
  };
}

const STATUS_OF: Record<ReverseResult['state'], ReverseRow['status']> = {
  reversed: 'succeeded',
  pending: 'pending',
  refused: 'failed',
};

/**
 * Records one attempt's answer. A confirmed reverse closes the order in the same transaction. A
 * reverse already settled (its notification came first) stays as it is; the row is returned.
 */
export function applyReverseResult(
  db: Db,
  orderId: string,
  result: ReverseResult,
  deps: TransitionDeps,
): Promise<ReverseRow> {
  return inTransaction(db, async (tx) => {
    await lockOrder(tx, orderId);
    const now = deps.clock.now();
    const status = STATUS_OF[result.state];
    // every attempt counts, also one answered after a notification already settled the reverse
    await countAttempt(tx, orderId, now);
    const row = await tx
      .updateTable('order_reverses')
      .set({
        status,
        updated_at: now,
        result_code: result.code ?? null,
        result_message: result.message?.slice(0, 500) ?? null,
        ...(result.action ? { action: result.action } : {}),
        ...(result.channelReverseNo ? { channel_reverse_no: result.channelReverseNo } : {}),
        ...(status === 'succeeded' ? { confirmed_at: now } : {}),
      })
      .where('order_id', '=', orderId)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    if (row?.status === 'succeeded')
      await transitionLocked(tx, orderId, { type: 'closed_at_channel' }, {}, deps);
    return row ?? (await reverseOf(tx, orderId))!;
  });
}

function countAttempt(db: Db | Tx, orderId: string, now: Date) {
  return db
    .updateTable('order_reverses')
    .set({ attempts: sql<number>`attempts + 1`, last_attempt_at: now })
    .where('order_id', '=', orderId)
    .execute();
}

/** An attempt that got no answer (or an error): counted; a pending reverse keeps the error. */
export async function noteReverseError(db: Db, orderId: string, error: unknown, clock: Clock): Promise<void> {
  const now = clock.now();
  await countAttempt(db, orderId, now);
  await db
    .updateTable('order_reverses')
    .set({
      updated_at: now,
      result_code: (error as { kind?: string }).kind ?? 'error',
      result_message: (error instanceof Error ? error.message : String(error)).slice(0, 500),
    })
    .where('order_id', '=', orderId)
    .where('status', '=', 'pending')
    .execute();
}
