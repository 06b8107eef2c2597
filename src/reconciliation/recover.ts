import type { Clock } from '../core/clock.js';
import type { Db } from '../platform/db/index.js';
import { markMismatch } from './mismatches.js';

/**
 * A channel-only trade whose merchant order number is one of JuhePay's orders (a notification
 * lost, the order still paying or already closed): the order is asked about at the channel
 * (the payments module's polling step), so it succeeds or a payment exception records a payment
 * on a closed order. Either way the money has a home and the mismatch is `auto_resolved`.
 * One that stays unexplained (the channel cannot be reached) stays open for the next run.
 */
export async function recoverChannelOnly(
  deps: { db: Db; clock: Clock; recoverOrder?: (orderId: string) => Promise<void> },
  reconciliationId: string,
): Promise<void> {
  if (!deps.recoverOrder) return;
  const candidates = await deps.db
    .selectFrom('reconciliation_mismatches')
    .innerJoin('orders', 'orders.id', 'reconciliation_mismatches.order_id')
    .select(['reconciliation_mismatches.id', 'orders.id as order_id'])
    .where('reconciliation_mismatches.reconciliation_id', '=', reconciliationId)
    .where('reconciliation_mismatches.type', '=', 'channel_only')
    .where('reconciliation_mismatches.kind', '=', 'trade')
    .where('reconciliation_mismatches.status', '=', 'open')
    .execute();
  for (const c of candidates) {
    try {
      await deps.recoverOrder(c.order_id);
    } catch {
      continue; // the channel could not answer: the mismatch stays open, the next run asks again
    }
    const order = await deps.db
      .selectFrom('orders')
      .select(['status', 'paid_at'])
      .where('id', '=', c.order_id)
      .executeTakeFirstOrThrow();
    const exception = await deps.db
      .selectFrom('payment_exceptions')
      .select('id')
      .where('order_id', '=', c.order_id)
      .executeTakeFirst();
    if (order.status === 'succeeded')
      await markMismatch(
        deps.db,
        c.id,
        'auto_resolved',
        { action: 'recovered', order_status: 'succeeded' },
        deps.clock.now(),
      );
    else if (exception)
      await markMismatch(
        deps.db,
        c.id,
        'auto_resolved',
        { action: 'payment_exception', exception_id: exception.id, order_status: order.status },
        deps.clock.now(),
      );
  }
}
