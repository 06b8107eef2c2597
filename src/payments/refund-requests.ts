import { ApiError } from '../core/errors.js';
import type { Db, Queryable } from '../platform/db/index.js';
import type { RefundRiskCheck } from '../risk/index.js';
import { getOrderByMchOrderNo, getOrderForApp } from './order-queries.js';
import type { RefundRow } from './refund-view.js';
import { createRefund, syncRefund, type NewRefund, type RefundDeps } from './refunds.js';
import { checkRefundRisk } from './risk-facts.js';

/** A merchant's refund request: the order by exactly one of its ids, and the refund's fields. */
export interface RefundRequest extends NewRefund {
  order_id?: string | undefined;
  mch_order_no?: string | undefined;
}

/**
 * `POST /v1/refunds`: finds the app's order, asks risk control, records the refund (or finds the
 * same one again) and asks the channel at once so the answer is usually final; a failed first
 * call is left to the refund job (`onSyncDeferred` hears about it).
 */
export async function requestRefund(
  db: Db,
  deps: RefundDeps & { risk?: RefundRiskCheck | undefined },
  appId: string,
  input: RefundRequest,
  onSyncDeferred: (err: unknown, refundId: string) => void,
): Promise<{ refund: RefundRow; created: boolean }> {
  if (!input.order_id === !input.mch_order_no)
    throw new ApiError('parameter_missing', 'send exactly one of order_id and mch_order_no', 'order_id');
  const order = input.order_id
    ? await getOrderForApp(db, appId, input.order_id)
    : await getOrderByMchOrderNo(db, appId, input.mch_order_no!);
  const risk = await checkRefundRisk(db, deps.risk, order, input);
  const { refund, created } = await createRefund(db, order, input, deps, risk);
  if (created) {
    await syncRefund(db, refund.id, deps, true).catch((err: unknown) => onSyncDeferred(err, refund.id));
  }
  return { refund: await getRefund(db, refund.id), created };
}

/** A refund as it is now; 404 when there is none. */
export async function getRefund(db: Queryable, id: string): Promise<RefundRow> {
  const refund = await db.selectFrom('refunds').selectAll().where('id', '=', id).executeTakeFirst();
  if (!refund) throw new ApiError('resource_missing', `no refund ${id}`, 'id');
  return refund;
}

/** One of the app's refunds; another app's is as missing as a refund that does not exist. */
export async function getRefundForApp(db: Queryable, appId: string, id: string): Promise<RefundRow> {
  const refund = await db
    .selectFrom('refunds')
    .selectAll()
    .where('id', '=', id)
    .where('app_id', '=', appId)
    .executeTakeFirst();
  if (!refund) throw new ApiError('resource_missing', `no refund ${id}`, 'id');
  return refund;
}
