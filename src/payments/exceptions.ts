import type { Clock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { toPage, type Page } from '../core/pagination.js';
import { bookLatePaymentResolution } from '../ledger/index.js';
import { writeAuditBy, type AuditActor } from '../merchants/index.js';
import { inTransaction, newestFirst, type Db } from '../platform/db/index.js';

/**
 * Payment exceptions for operators: late payments (a success after the order was closed) and
 * amount mismatches. Nothing is dropped; an operator refunds or recovers and marks it resolved.
 */

interface ExceptionRow {
  id: string;
  order_id: string;
  kind: string;
  channel: string | null;
  channel_trade_no: string | null;
  amount: number | null;
  details: unknown;
  status: string;
  resolution: string | null;
  created_at: Date;
  resolved_at: Date | null;
}

export function exceptionObject(row: ExceptionRow) {
  return {
    object: 'payment_exception' as const,
    id: row.id,
    order_id: row.order_id,
    kind: row.kind,
    channel: row.channel,
    channel_trade_no: row.channel_trade_no,
    amount: row.amount,
    details: row.details,
    status: row.status,
    resolution: row.resolution,
    created_at: row.created_at.toISOString(),
    resolved_at: row.resolved_at ? row.resolved_at.toISOString() : null,
  };
}

export type PaymentExceptionObject = ReturnType<typeof exceptionObject>;

/** Newest first; `startingAfter` is the last id of the previous page. */
export async function listPaymentExceptions(
  db: Db,
  filter: { status?: 'open' | 'resolved' | undefined },
  page: { limit: number; startingAfter?: string | undefined },
): Promise<Page<PaymentExceptionObject>> {
  const rows = await newestFirst(db.selectFrom('payment_exceptions').selectAll(), page, {
    status: filter.status,
  }).execute();
  return toPage(rows, page.limit, exceptionObject);
}

export interface Resolution {
  resolution: string;
  /** a late payment: credited to the merchant, or sent back to the payer (booked in the ledger) */
  outcome?: 'recovered' | 'refunded' | undefined;
}

/**
 * Marks an open exception resolved in one transaction with its ledger booking (a late payment
 * with an outcome) and the audit entry saying who resolved it and how. 404 / 409 otherwise.
 */
export async function resolvePaymentException(
  db: Db,
  id: string,
  { resolution, outcome }: Resolution,
  clock: Clock,
  by: AuditActor,
): Promise<PaymentExceptionObject> {
  const row = await inTransaction(db, async (tx) => {
    const resolved = await tx
      .updateTable('payment_exceptions')
      .set({ status: 'resolved', resolution, resolved_at: clock.now() })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .returningAll()
      .executeTakeFirst();
    if (!resolved) return undefined;
    if (outcome && resolved.kind === 'late_payment' && resolved.amount && resolved.channel) {
      const order = await tx
        .selectFrom('orders')
        .select('merchant_id')
        .where('id', '=', resolved.order_id)
        .executeTakeFirstOrThrow();
      const late = {
        orderId: resolved.order_id,
        merchantId: order.merchant_id,
        channel: resolved.channel,
        amount: resolved.amount,
      };
      await bookLatePaymentResolution(tx, late, outcome, clock.now());
    }
    await writeAuditBy(tx, by, clock, {
      action: 'payment_exception.resolve',
      objectType: 'payment_exception',
      objectId: id,
      after: exceptionObject(resolved),
    });
    return resolved;
  });
  if (row) return exceptionObject(row);
  const exists = await db
    .selectFrom('payment_exceptions')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!exists) throw new ApiError('resource_missing', `no payment exception ${id}`, 'id');
  throw new ApiError('state_conflict', 'this exception is already resolved', 'id');
}
