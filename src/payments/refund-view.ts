import type { Selectable } from 'kysely';
import type { RefundsTable } from './tables.js';

export type RefundRow = Selectable<RefundsTable>;

/** The public refund object (CONTRACT §2). Pure. */
export function toRefundObject(row: RefundRow) {
  return {
    object: 'refund' as const,
    id: row.id,
    order_id: row.order_id,
    app_id: row.app_id,
    merchant_id: row.merchant_id,
    mch_refund_no: row.mch_refund_no,
    amount: row.amount,
    fee_refunded: row.fee_refunded ?? null,
    currency: 'CNY',
    status: row.status,
    reason: row.reason,
    channel_refund_no: row.channel_refund_no,
    failure_code: row.failure_code,
    failure_message: row.failure_message,
    created_at: row.created_at.toISOString(),
    succeeded_at: row.succeeded_at ? row.succeeded_at.toISOString() : null,
    /** when the channel first said the customer's account could not take it (the money left the merchant then) */
    abnormal_at: row.abnormal_at ? row.abnormal_at.toISOString() : null,
  };
}

/** The refund as operators see it: the public object and where an abnormal refund was sent. */
export function adminRefundObject(row: RefundRow) {
  return {
    ...toRefundObject(row),
    abnormal_applied_at: row.abnormal_applied_at ? row.abnormal_applied_at.toISOString() : null,
    abnormal_target: row.abnormal_target,
  };
}
