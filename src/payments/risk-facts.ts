import { ApiError } from '../core/errors.js';
import type { Db } from '../platform/db/index.js';
import type { OrderFacts, RefundRiskCheck } from '../risk/index.js';
import type { OrderRow } from './order-view.js';

/** What the risk engine is told about an order (CONTRACT §8 subjects). */
export function orderFacts(order: OrderRow, payerId?: string): OrderFacts {
  const payer = payerId ?? order.channel_payer_id ?? firstValue(order.payer as Record<string, string> | null);
  return {
    appId: order.app_id,
    merchantId: order.merchant_id,
    mchOrderNo: order.mch_order_no,
    amount: order.amount,
    channel: order.channel,
    customerId: order.customer_id,
    deviceId: order.device_id,
    clientIp: order.client_ip,
    orderId: order.id,
    ...(order.channel && payer ? { payer: { channel: order.channel, id: payer } } : {}),
  };
}

function firstValue(payer: Record<string, string> | null): string | undefined {
  return payer ? Object.values(payer)[0] : undefined;
}

/** What a refund keeps of its risk decision: the review flag (settlement holds it) and the decision. */
export interface RefundRisk {
  flag: 'review' | null;
  decisionId: string;
}

/**
 * Scene `refund`: refuses a new refund the engine rejects (a repeat of an existing one passes);
 * otherwise returns what createRefund stores on the refund (review → flagged, like an order).
 */
export async function checkRefundRisk(
  db: Db,
  check: RefundRiskCheck | undefined,
  order: OrderRow,
  input: { mch_refund_no: string; amount: number },
): Promise<RefundRisk | undefined> {
  if (!check) return undefined;
  const verdict = await check({
    order: orderFacts(order),
    mchRefundNo: input.mch_refund_no,
    amount: input.amount,
  });
  const risk: RefundRisk = { flag: verdict.decision === 'review' ? 'review' : null, decisionId: verdict.id };
  if (verdict.decision !== 'reject') return risk;
  const existing = await db
    .selectFrom('refunds')
    .select('id')
    .where('order_id', '=', order.id)
    .where('mch_refund_no', '=', input.mch_refund_no)
    .executeTakeFirst();
  if (!existing) throw new ApiError('risk_rejected', 'the risk engine refused this refund');
  return undefined; // a repeat: the refund keeps what it was created with
}
