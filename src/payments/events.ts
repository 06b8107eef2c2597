import { eventWrites, recordEvent, type EventWrites, type NewWebhookEvent } from '../notifications/index.js';
import { bookRefund, refundOutcomeOf } from '../ledger/index.js';
import type { Tx } from '../platform/db/index.js';
import type { OrderEventType } from './order-machine.js';
import type { RefundEventType } from './refund-machine.js';
import type { Clock } from '../core/clock.js';
import { toOrderObject, type OrderRow } from './order-view.js';
import { toRefundObject, type RefundRow } from './refund-view.js';

/** What every order and refund transition needs: the clock, and the base URL in the objects it emits. */
export interface TransitionDeps {
  clock: Clock;
  publicUrl: string;
}

/**
 * Emits an order or refund event in the caller's transaction: the merchant's webhook (with the
 * object's next sequence number) and the stream, through the outbox.
 */
/** emitOrderEvent's writes as CTEs, for the caller's own statement (the order's UPDATE). */
export function orderEventWrites(order: OrderRow, type: OrderEventType, deps: TransitionDeps): EventWrites {
  return eventWrites(orderEvent(order, type, deps), deps.clock);
}

function orderEvent(order: OrderRow, type: OrderEventType, deps: TransitionDeps): NewWebhookEvent {
  return {
    appId: order.app_id,
    merchantId: order.merchant_id,
    type,
    objectType: 'order',
    objectId: order.id,
    object: toOrderObject(order, deps.publicUrl),
    notifyUrl: order.notify_url,
  };
}

export async function emitOrderEvent(
  tx: Tx,
  order: OrderRow,
  type: OrderEventType,
  deps: TransitionDeps,
): Promise<void> {
  await recordEvent(tx, orderEvent(order, type, deps), deps.clock);
}

export async function emitRefundEvent(
  tx: Tx,
  refund: RefundRow,
  order: OrderRow,
  type: RefundEventType,
  deps: TransitionDeps,
): Promise<void> {
  const outcome = refundOutcomeOf(type); // by name: 'refund.abnormal' is booked too
  if (outcome) refund = await withFeeRefunded(tx, refund, outcome, deps);
  await recordEvent(
    tx,
    {
      appId: refund.app_id,
      merchantId: refund.merchant_id,
      type,
      objectType: 'refund',
      objectId: refund.id,
      object: toRefundObject(refund),
      notifyUrl: refund.notify_url ?? order.notify_url, // else the app's default
    },
    deps.clock,
  );
}

/** The ledger books a refund that succeeded (or ended abnormal); refund.fee_refunded shows it. */
async function withFeeRefunded(
  tx: Tx,
  refund: RefundRow,
  outcome: 'succeeded' | 'abnormal',
  deps: TransitionDeps,
): Promise<RefundRow> {
  const feeRefunded = await bookRefund(tx, refund, outcome, deps.clock.now());
  if (feeRefunded === null) return refund;
  return tx
    .updateTable('refunds')
    .set({ fee_refunded: feeRefunded })
    .where('id', '=', refund.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
