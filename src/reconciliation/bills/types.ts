import type { Fen } from '../../core/money.js';

/** The status a channel reports for a trade or a refund, in JuhePay's words. */
export type ChannelRecordStatus = 'succeeded' | 'processing' | 'failed' | 'closed';

/**
 * One row of a channel's daily bill, whatever the channel: a trade (payment) or a refund.
 * Amounts are positive integer fen in the row's own direction: a refund's `amount` is the money
 * returned, its `fee` the part of the channel fee given back.
 */
export interface ChannelBillRecord {
  kind: 'trade' | 'refund';
  /** the merchant order number JuhePay sent to the channel (out_trade_no / orderId) */
  outTradeNo: string;
  /** the channel's own trade number (transaction_id / 支付宝交易号 / queryId) */
  channelTradeNo: string;
  /** refunds only: JuhePay's refund number (out_refund_no / out_request_no / orderId) */
  outRefundNo?: string;
  /** refunds only: the channel's refund number when the bill has one */
  channelRefundNo?: string;
  /** the sub-merchant at the channel (特约商户号 / 商户代码), to find the channel identity */
  channelMerchantId: string;
  /** trade: the order total; refund: the refund asked for */
  amount: Fen;
  /** what the channel actually settles for the row (coupons not settled are left out) */
  settledAmount: Fen;
  /** the channel's fee for the row, fen, rounded half up where the bill shows sub-fen digits */
  fee: Fen;
  /** `yyyy-MM-dd HH:mm:ss`, China time, as the bill writes it */
  time: string;
  status: ChannelRecordStatus;
  /** 1-based physical line of the row in its file, for error messages and mismatch reports */
  line: number;
}

/** The bill's own totals, checked against the rows before the parse counts as complete. */
export interface BillTotals {
  tradeCount: number;
  refundCount: number;
  /** Σ trade amount (fen) */
  tradeAmount: Fen;
  /** Σ refund amount (fen) */
  refundAmount: Fen;
  /** Σ fee charged on trades − Σ fee returned on refunds (fen) */
  feeTotal: Fen;
}

/**
 * A bill that cannot be trusted: truncated, failing its checksum, carrying a row of an unknown
 * kind or a value that is not what the format allows. The reconciliation of that file fails with
 * `reason`; nothing from it may be used, even the rows read before the failure.
 */
export class BillParseError extends Error {
  constructor(
    readonly reason: string,
    readonly line?: number,
  ) {
    super(line === undefined ? reason : `line ${line}: ${reason}`);
    this.name = 'BillParseError';
  }
}

export interface BillParseOptions {
  /** called once, after the last row, with the totals the file declares (already checked) */
  onTotals?: (totals: BillTotals) => void;
}
