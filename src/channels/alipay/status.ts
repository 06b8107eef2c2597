import { fromYuanString, type Fen } from '../../core/money.js';
import {
  ChannelError,
  type BillRecord,
  type ChannelErrorKind,
  type ChannelNotification,
  type PaymentStatus,
  type RefundStatus,
} from '../channel.js';
import type { AlipayBill } from './protocol/bill-csv.js';
import { parseAlipayTime } from './protocol/time.js';

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

/**
 * Alipay's status mapping, in tables and pure functions: what a gateway result code means for
 * us (done, paying, unknown, not found, or refused and why), and how trade fields, notifications,
 * refund answers and bill rows read in JuhePay's vocabulary. No I/O here.
 */

export type Answer = Readonly<Record<string, unknown>>;

export type ResultClass =
  | { type: 'ok' }
  /** 10003: the buyer is confirming (payment codes) */
  | { type: 'paying' }
  /** 20000 / ACQ.SYSTEM_ERROR: the outcome is unknown; the same request (same numbers) may be retried */
  | { type: 'unknown'; code: string; message: string }
  | { type: 'not_found' }
  /** the request met a trade in a state it cannot act on: ask trade.query what it is */
  | { type: 'wrong_state'; code: string; message: string }
  | {
      type: 'refused';
      kind: Extract<ChannelErrorKind, 'config' | 'rejected'>;
      code: string;
      message: string;
    };

type Meaning = 'unknown' | 'not_found' | 'wrong_state' | 'config' | 'rejected';

/** sub_codes whose meaning is not their code's default. */
export const SUB_CODE_TABLE: Readonly<Record<string, Meaning>> = {
  'ACQ.SYSTEM_ERROR': 'unknown',
  'isp.unknow-error': 'unknown',
  'ACQ.TRADE_NOT_EXIST': 'not_found',
  'ACQ.TRADE_HAS_SUCCESS': 'wrong_state',
  'ACQ.TRADE_HAS_CLOSE': 'wrong_state',
  'ACQ.TRADE_STATUS_ERROR': 'wrong_state',
  'ACQ.REASON_TRADE_BEEN_FREEZEN': 'rejected',
  'aop.invalid-app-auth-token': 'config',
  'aop.app-auth-token-time-out': 'config',
  'isv.invalid-signature': 'config',
  'isv.invalid-app-id': 'config',
  'isv.invalid-signature-type': 'config',
  'isv.invalid-charset': 'config',
  'isv.invalid-timestamp': 'config',
  'isv.invalid-method': 'config',
  'isv.missing-signature': 'config',
  'isv.insufficient-isv-permissions': 'config',
  'isv.insufficient-user-permissions': 'config',
  'ACQ.ACCESS_FORBIDDEN': 'config',
  'ACQ.PARTNER_ERROR': 'config',
  'ACQ.SELLER_NOT_EXIST': 'config',
};

/** by code, when the sub_code is not in the table */
export const CODE_TABLE: Readonly<Record<string, Meaning | 'ok' | 'paying'>> = {
  '10000': 'ok',
  '10003': 'paying',
  '20000': 'unknown',
  '20001': 'config', // token permissions
  '40001': 'rejected', // a required argument is missing
  '40002': 'rejected', // an invalid argument (isv.* common-parameter ones are in SUB_CODE_TABLE)
  '40004': 'rejected', // business failure
  '40006': 'config', // the app lacks the permission
};

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;

/** What a gateway answer means. Total: any input gives a class. Success without code (oauth.token) is ok. */
export function classifyResult(answer: Answer): ResultClass {
  const code = text(answer.code);
  if (code === undefined) return { type: 'ok' };
  const subCode = text(answer.sub_code);
  const meaning =
    (subCode !== undefined ? SUB_CODE_TABLE[subCode] : undefined) ?? CODE_TABLE[code] ?? 'unknown';
  const message = text(answer.sub_msg) ?? text(answer.msg) ?? code;
  const channelCode = subCode ?? code;
  switch (meaning) {
    case 'ok':
      return { type: 'ok' };
    case 'paying':
      return { type: 'paying' };
    case 'not_found':
      return { type: 'not_found' };
    case 'unknown':
    case 'wrong_state':
      return { type: meaning, code: channelCode, message };
    default:
      return { type: 'refused', kind: meaning, code: channelCode, message };
  }
}

/** The error to throw for an answer the operation cannot use. */
export function errorOf(cls: ResultClass, method: string): ChannelError {
  switch (cls.type) {
    case 'unknown':
      return new ChannelError('system_error', `alipay ${method}: ${cls.message}`, cls.code);
    case 'refused':
      return new ChannelError(cls.kind, `alipay ${method}: ${cls.message}`, cls.code);
    case 'wrong_state':
      return new ChannelError('rejected', `alipay ${method}: ${cls.message}`, cls.code);
    case 'not_found':
      return new ChannelError('rejected', `alipay ${method}: trade not found`, 'ACQ.TRADE_NOT_EXIST');
    default:
      return new ChannelError('system_error', `alipay ${method}: unexpected answer ${cls.type}`);
  }
}

/** a field of a successful answer; any other answer becomes its ChannelError */
export function okField(answer: Answer, method: string, field: string): string {
  const cls = classifyResult(answer);
  if (cls.type !== 'ok') throw errorOf(cls, method);
  const value = answer[field];
  if (typeof value !== 'string' || value === '')
    throw new ChannelError('system_error', `${method}: the answer has no ${field}`);
  return value;
}

/** yuan text → fen; undefined when absent or malformed (never a throw on channel data) */
export function fenOf(value: unknown): Fen | undefined {
  const t = text(value);
  if (t === undefined) return undefined;
  try {
    return fromYuanString(t);
  } catch {
    return undefined;
  }
}

function timeOf(value: unknown): Date | undefined {
  const t = text(value);
  return t === undefined ? undefined : parseAlipayTime(t.replace(/\.\d+$/, ''));
}

/** the buyer as the order records it: buyer_id (query: buyer_user_id), open_id, masked logon id */
export function payerOf(answer: Answer): Record<string, string> | undefined {
  const payer: Record<string, string> = {};
  const id = text(answer.buyer_user_id) ?? text(answer.buyer_id);
  if (id) payer.buyer_id = id;
  const openId = text(answer.buyer_open_id);
  if (openId) payer.buyer_open_id = openId;
  const logon = text(answer.buyer_logon_id);
  if (logon) payer.buyer_logon_id = logon;
  return Object.keys(payer).length > 0 ? payer : undefined;
}

const STATE_OF: Readonly<Record<OrderStatus, PaymentStatus['state']>> = {
  paying: 'pending',
  succeeded: 'succeeded',
  refunded: 'refunded',
  closed: 'closed',
};

/** money left the buyer at some point: a closed trade with these was paid, then all refunded (or cancelled) */
function wasPaid(answer: Answer): boolean {
  return (
    timeOf(answer.send_pay_date) !== undefined ||
    timeOf(answer.gmt_payment) !== undefined ||
    (fenOf(answer.buyer_pay_amount) ?? 0) > 0 ||
    (fenOf(answer.receipt_amount) ?? 0) > 0
  );
}

/** A trade as trade.query, trade.pay or a notification describes it. Unknown trade_status: undefined. */
export function paymentStatusOfTrade(
  answer: Answer,
  tradeStatus = text(answer.trade_status),
): PaymentStatus | undefined {
  const status = tradeStatus === undefined ? undefined : orderStatusOf(tradeStatus, wasPaid(answer));
  if (status === undefined) return undefined;
  const state = STATE_OF[status];
  // a refunded trade was paid too: its amount and payer are what the order is checked against
  const paid = state === 'succeeded' || state === 'refunded';
  return {
    state,
    channelTradeNo: text(answer.trade_no),
    amount: paid ? fenOf(answer.total_amount) : undefined,
    payer: paid || state === 'pending' ? payerOf(answer) : undefined,
    paidAt: paid ? (timeOf(answer.send_pay_date) ?? timeOf(answer.gmt_payment)) : undefined,
    code: tradeStatus,
  };
}

/** alipay.trade.fastpay.refund.query: REFUND_SUCCESS; legacy answers carry only refund_amount; nothing = not found */
export function refundStatusOfQuery(answer: Answer): RefundStatus {
  const status = text(answer.refund_status);
  if (status === 'REFUND_SUCCESS') return { state: 'succeeded', code: status };
  if (status !== undefined) return { state: 'pending', code: status };
  if (fenOf(answer.refund_amount) !== undefined) return { state: 'succeeded' };
  return { state: 'not_found' };
}

const invalid = (why: string) => new ChannelError('invalid_notification', `alipay notification: ${why}`);

/**
 * A verified trade_status_sync notification. Refund fields (out_biz_no + refund_fee) make it a
 * refund notification (Alipay sends refunds with trade_status TRADE_SUCCESS, or TRADE_CLOSED once
 * fully refunded); out_biz_no equal to out_trade_no is a cancel's refund, i.e. the trade was reversed.
 */
export function notificationOf(params: Answer): ChannelNotification {
  const outTradeNo = text(params.out_trade_no);
  if (!outTradeNo) throw invalid('no out_trade_no');
  const outBizNo = text(params.out_biz_no);
  const tradeStatus = text(params.trade_status);
  if (outBizNo !== undefined && fenOf(params.refund_fee) !== undefined && outBizNo !== outTradeNo) {
    return {
      kind: 'refund',
      outTradeNo,
      outRefundNo: outBizNo,
      status: { state: 'succeeded', code: tradeStatus },
    };
  }
  if (outBizNo !== undefined && outBizNo === outTradeNo && tradeStatus === 'TRADE_CLOSED') {
    return {
      kind: 'payment',
      outTradeNo,
      status: { state: 'closed', channelTradeNo: text(params.trade_no), code: 'REVERSED' },
    };
  }
  // a notification is about a state change: TRADE_CLOSED here is a close, never "paid then refunded"
  const status = paymentStatusOfTrade(
    tradeStatus === 'TRADE_CLOSED'
      ? { ...params, gmt_payment: undefined, buyer_pay_amount: undefined, receipt_amount: undefined }
      : params,
  );
  if (!status) throw invalid(`unknown trade_status ${JSON.stringify(tradeStatus ?? '')}`);
  if (status.state === 'succeeded' && status.amount === undefined) throw invalid('no total_amount');
  return { kind: 'payment', outTradeNo, status };
}

function rowTime(finishedAt: string, createdAt: string, outTradeNo: string): Date {
  const at = parseAlipayTime(finishedAt) ?? parseAlipayTime(createdAt);
  if (!at) throw new ChannelError('system_error', `alipay bill: row ${outTradeNo} has no valid time`);
  return at;
}

/** Bill rows as records. Amounts are magnitudes; `kind` says the direction. */
export function billRecordsOf(bill: AlipayBill): BillRecord[] {
  return bill.rows.map((row) => ({
    outTradeNo: row.outTradeNo,
    channelTradeNo: row.tradeNo,
    kind: row.type === 'trade' ? 'payment' : 'refund',
    outRefundNo: row.type === 'refund' ? row.refundRequestNo || undefined : undefined,
    amount: Math.abs(row.receivedAmount),
    fee: Math.abs(row.serviceFee),
    at: rowTime(row.finishedAt, row.createdAt, row.outTradeNo),
  }));
}
