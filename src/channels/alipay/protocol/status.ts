/**
 * trade_status → our order status, in one table. TRADE_CLOSED covers timeout, close, a cancel
 * (撤销) AND a full refund; a cancel of a paid trade is a full refund too (trade.cancel action
 * `refund`). So a TRADE_CLOSED trade that was ever paid reads `refunded`: paid, then all of it
 * went back. Which of the two it was (our reverse, or a refund made elsewhere) only the caller
 * knows, so it decides.
 */

export const TRADE_STATUSES = ['WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED'] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];

export type OrderStatus = 'paying' | 'succeeded' | 'refunded' | 'closed';

interface StatusRow {
  status: OrderStatus;
  /** money moved from the buyer */
  paid: boolean;
  /** a refund may still be requested */
  refundable: boolean;
  final: boolean;
}

export const TRADE_STATUS_TABLE: Readonly<Record<TradeStatus, StatusRow>> = {
  WAIT_BUYER_PAY: { status: 'paying', paid: false, refundable: false, final: false },
  TRADE_SUCCESS: { status: 'succeeded', paid: true, refundable: true, final: false },
  TRADE_FINISHED: { status: 'succeeded', paid: true, refundable: false, final: true },
  TRADE_CLOSED: { status: 'closed', paid: false, refundable: false, final: true },
};

export function isTradeStatus(value: unknown): value is TradeStatus {
  return typeof value === 'string' && (TRADE_STATUSES as readonly string[]).includes(value);
}

/** undefined for an unknown status text; `wasPaid` tells a paid-then-refunded trade from a closed one */
export function orderStatusOf(tradeStatus: string, wasPaid = false): OrderStatus | undefined {
  if (!isTradeStatus(tradeStatus)) return undefined;
  if (tradeStatus === 'TRADE_CLOSED' && wasPaid) return 'refunded';
  return TRADE_STATUS_TABLE[tradeStatus].status;
}
