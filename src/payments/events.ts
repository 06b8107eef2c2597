import { recordEvent } from '../notifications/index.js';
import type { Tx } from '../platform/db/index.js';
import type { OrderEventType } from './order-machine.js';
import type { RefundEventType } from './refund-machine.js';
import type { TransitionDeps } from './order-transitions.js';
import { toOrderObject, type OrderRow } from './order-view.js';
import { toRefundObject, type RefundRow } from './refund-view.js';

/**
 * Emits an order or refund event in the caller's transaction: the merchant's webhook (with the
 * object's next sequence number) and the stream, through the outbox.
 */
export async function emitOrderEvent(
  tx: Tx,
  order: OrderRow,
  type: OrderEventType,
  deps: TransitionDeps,
): Promise<void> {
  await recordEvent(
    tx,
    {
      appId: order.app_id,
      merchantId: order.merchant_id,
      type,
      objectType: 'order',
      objectId: order.id,
      object: toOrderObject(order, deps.publicUrl),
      notifyUrl: order.notify_url,
    },
    deps.clock,
  );
}

export async function emitRefundEvent(
  tx: Tx,
  refund: RefundRow,
  order: OrderRow,
  type: RefundEventType,
  deps: TransitionDeps,
): Promise<void> {
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
