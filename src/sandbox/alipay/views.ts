import type { Fen } from '../../core/money.js';
import { toYuanString } from '../../core/money.js';
import type { AlipayBillRow } from '../../channels/alipay/protocol/bill-csv.js';
import { alipayTime, chinaDate } from '../../channels/alipay/protocol/time.js';
import { maskedLogonId, type AlipayTrade } from './store.js';

/** How a trade reads on the wire (query answers, notifications) and in the bill. Pure. */

const y = toYuanString;

function paidFields(t: AlipayTrade): Record<string, unknown> {
  if (!t.paidAt) return {};
  return {
    buyer_pay_amount: y(t.totalAmount),
    point_amount: '0.00',
    invoice_amount: y(t.totalAmount),
    receipt_amount: y(t.totalAmount),
    send_pay_date: alipayTime(t.paidAt),
    fund_bill_list: [{ fund_channel: 'ALIPAYACCOUNT', amount: y(t.totalAmount) }],
  };
}

/** alipay.trade.query fields for an existing trade */
export function queryView(t: AlipayTrade): Record<string, unknown> {
  return {
    trade_no: t.tradeNo,
    out_trade_no: t.outTradeNo,
    ...(t.buyerId ? { buyer_logon_id: maskedLogonId(t.buyerId), buyer_user_id: t.buyerId } : {}),
    ...(t.buyerOpenId ? { buyer_open_id: t.buyerOpenId } : {}),
    trade_status: t.status,
    total_amount: y(t.totalAmount),
    ...paidFields(t),
    ...(t.storeId ? { store_id: t.storeId } : {}),
  };
}

export interface NotifyIdentity {
  appId: string;
  authAppId: string;
  sellerId: string;
}

/** the unsigned trade_status_sync parameters (form values) for the trade's current state */
export function notifyParams(
  t: AlipayTrade,
  who: NotifyIdentity,
  notifyId: string,
  now: Date,
): Record<string, string | undefined> {
  const refunded = t.refunds.reduce((a, r) => a + r.amount, 0);
  const lastRefund = t.refunds.at(-1);
  return {
    notify_time: alipayTime(now),
    notify_type: 'trade_status_sync',
    notify_id: notifyId,
    charset: 'utf-8',
    version: '1.0',
    app_id: who.appId,
    auth_app_id: who.authAppId,
    seller_id: who.sellerId,
    trade_no: t.tradeNo,
    out_trade_no: t.outTradeNo,
    buyer_id: t.buyerId,
    buyer_open_id: t.buyerOpenId,
    buyer_logon_id: t.buyerId ? maskedLogonId(t.buyerId) : undefined,
    trade_status: t.status,
    subject: t.subject,
    total_amount: y(t.totalAmount),
    receipt_amount: t.paidAt ? y(t.totalAmount) : undefined,
    invoice_amount: t.paidAt ? y(t.totalAmount) : undefined,
    buyer_pay_amount: t.paidAt ? y(t.totalAmount) : undefined,
    point_amount: t.paidAt ? '0.00' : undefined,
    fund_bill_list: t.paidAt
      ? JSON.stringify([{ amount: y(t.totalAmount), fundChannel: 'ALIPAYACCOUNT' }])
      : undefined,
    gmt_create: alipayTime(t.createdAt),
    gmt_payment: t.paidAt ? alipayTime(t.paidAt) : undefined,
    gmt_close: t.closedAt ? alipayTime(t.closedAt) : undefined,
    refund_fee: lastRefund ? y(refunded) : undefined,
    gmt_refund: lastRefund ? `${alipayTime(lastRefund.at)}.000` : undefined,
    out_biz_no: lastRefund?.outRequestNo,
    store_id: t.storeId || undefined,
  };
}

/** the bill rows of one China day (`yyyy-MM-dd`) or month (`yyyy-MM`): payments that day, refunds that day */
export interface BillFees {
  trade(outTradeNo: string, amount: Fen): Fen;
  /** the fee a refund gives back after `before` was refunded */
  refund(outTradeNo: string, amount: Fen, before: Fen, refund: Fen): Fen;
}

const NO_FEES: BillFees = { trade: () => 0, refund: () => 0 };

export function billRows(
  trades: readonly AlipayTrade[],
  period: string,
  fees: BillFees = NO_FEES,
): AlipayBillRow[] {
  const inPeriod = (at: Date) => chinaDate(at).startsWith(period);
  const rows: Array<AlipayBillRow & { at: number }> = [];
  for (const t of trades) {
    const base = {
      tradeNo: t.tradeNo,
      outTradeNo: t.outTradeNo,
      subject: t.subject,
      createdAt: alipayTime(t.createdAt),
      storeId: t.storeId,
      buyerAccount: t.buyerId ? maskedLogonId(t.buyerId) : '',
      alipayDiscount: 0,
      merchantDiscount: 0,
      serviceFee: 0,
      remark: '',
    };
    if (t.paidAt && inPeriod(t.paidAt)) {
      rows.push({
        ...base,
        type: 'trade',
        finishedAt: alipayTime(t.paidAt),
        orderAmount: t.totalAmount,
        receivedAmount: t.totalAmount,
        serviceFee: fees.trade(t.outTradeNo, t.totalAmount),
        refundRequestNo: '',
        at: t.paidAt.getTime(),
      });
    }
    let before = 0;
    for (const r of t.refunds) {
      const refundedBefore = before;
      before += r.amount;
      if (!inPeriod(r.at)) continue;
      rows.push({
        ...base,
        type: 'refund',
        finishedAt: alipayTime(r.at),
        orderAmount: -r.amount,
        receivedAmount: -r.amount,
        // the fee given back, negative like the amounts
        serviceFee: -fees.refund(t.outTradeNo, t.totalAmount, refundedBefore, r.amount),
        refundRequestNo: r.outRequestNo,
        at: r.at.getTime(),
      });
    }
  }
  return rows.sort((a, b) => a.at - b.at).map(({ at: _at, ...row }) => row);
}
