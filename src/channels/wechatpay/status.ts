import {
  ChannelError,
  type ChannelErrorKind,
  type ChannelNotification,
  type ChannelPaymentState,
  type PaymentStatus,
  type RefundState,
  type RefundStatus,
} from '../channel.js';

/**
 * trade_state (v3 query, v2 orderquery) → the small status the rest of JuhePay reasons about.
 * Kept in one table so a new WeChat state is one line here.
 */

export type WechatTradeState =
  'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

/** the Channel interface's payment state: refunds do not change `succeeded`, a reverse is `closed` */
export type ChannelTradeStatus = Exclude<ChannelPaymentState, 'not_found'>;

/** desc = the trade_state_desc WeChat sends with the state */
export const TRADE_STATE_TABLE: Readonly<
  Record<WechatTradeState, { status: ChannelTradeStatus; final: boolean; desc: string }>
> = {
  NOTPAY: { status: 'pending', final: false, desc: '订单未支付' },
  USERPAYING: { status: 'user_paying', final: false, desc: '需要用户输入支付密码' },
  SUCCESS: { status: 'succeeded', final: true, desc: '支付成功' },
  REFUND: { status: 'succeeded', final: true, desc: '订单发生过退款' },
  CLOSED: { status: 'closed', final: true, desc: '订单已关闭' },
  REVOKED: { status: 'closed', final: true, desc: '订单已撤销' },
  PAYERROR: { status: 'failed', final: true, desc: '支付失败，请重新下单支付' },
};

export function isTradeState(value: unknown): value is WechatTradeState {
  return typeof value === 'string' && Object.hasOwn(TRADE_STATE_TABLE, value);
}

/** undefined for a state WeChat has not documented: the caller should treat it as unknown and query again */
export function statusOfTradeState(state: string): ChannelTradeStatus | undefined {
  return isTradeState(state) ? TRADE_STATE_TABLE[state].status : undefined;
}

export function tradeStateDesc(state: WechatTradeState): string {
  return TRADE_STATE_TABLE[state].desc;
}

/**
 * WeChat's answers → the Channel interface's vocabulary. Pure: every table a new WeChat code needs
 * is here, tested without I/O. Nothing here decides what a state means for an order.
 */

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** What a 付款码 (micropay) err_code means: 'unknown' = the outcome is open, the caller polls. */
export type MicropayOutcome =
  'unknown' | 'user_paying' | 'failed' | 'closed' | 'paid_elsewhere' | ChannelErrorKind;

export const MICROPAY_ERR_TABLE: Readonly<Record<string, MicropayOutcome>> = {
  USERPAYING: 'user_paying',
  SYSTEMERROR: 'unknown',
  BANKERROR: 'unknown',
  ORDERPAID: 'paid_elsewhere', // this out_trade_no is already paid: ask the channel what it knows
  ORDERCLOSED: 'closed',
  ORDERREVERSED: 'closed',
  NOTENOUGH: 'failed',
  NOTSUPORTCARD: 'failed',
  AUTH_CODE_INVALID: 'failed',
  AUTHCODEEXPIRE: 'failed',
  AUTH_CODE_ERROR: 'failed',
  BUYER_MISMATCH: 'failed',
  PAYERROR: 'failed',
  TRADE_ERROR: 'failed',
  USER_ACCOUNT_ABNORMAL: 'failed',
  OUT_TRADE_NO_USED: 'rejected',
  PARAM_ERROR: 'rejected',
  XML_FORMAT_ERROR: 'rejected',
  INVALID_REQUEST: 'rejected',
  NOAUTH: 'config',
  APPID_NOT_EXIST: 'config',
  MCHID_NOT_EXIST: 'config',
  APPID_MCHID_NOT_MATCH: 'config',
  SIGNERROR: 'config',
};

/** undocumented codes are customer-side failures, as the official guidance (and jeepay) treat them */
export function micropayOutcome(errCode: string): MicropayOutcome {
  return Object.hasOwn(MICROPAY_ERR_TABLE, errCode) ? MICROPAY_ERR_TABLE[errCode]! : 'failed';
}

/** v2 time_end `yyyyMMddHHmmss` (Beijing) → Date; undefined when absent or malformed */
export function v2Time(text: string | undefined): Date | undefined {
  const m = text ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text) : null;
  if (!m) return undefined;
  const at = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

function rfc3339(text: unknown): Date | undefined {
  const s = str(text);
  if (!s) return undefined;
  const at = new Date(s);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

function fenOf(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function payerOf(
  openid: string | undefined,
  subOpenid: string | undefined,
): Record<string, string> | undefined {
  const who = subOpenid ?? openid;
  if (!who) return undefined;
  return {
    openid: who,
    ...(openid ? { sp_openid: openid } : {}),
    ...(subOpenid ? { sub_openid: subOpenid } : {}),
  };
}

function tradeStatus(tradeState: string, desc: string | undefined): PaymentStatus['state'] {
  const state = statusOfTradeState(tradeState);
  if (!state)
    throw new ChannelError('system_error', `unknown trade_state ${tradeState}: ${desc ?? ''}`, tradeState);
  return state;
}

/** A v3 transaction (query answer or TRANSACTION.* plaintext). */
export function paymentStatusOfTransaction(t: Json): PaymentStatus {
  const tradeState = str(t.trade_state) ?? '';
  const desc = str(t.trade_state_desc);
  const state = tradeStatus(tradeState, desc);
  const payer = obj(t.payer);
  const amount = obj(t.amount);
  return {
    state,
    channelTradeNo: str(t.transaction_id),
    amount: state === 'succeeded' ? fenOf(amount.total) : undefined,
    payer: state === 'succeeded' ? payerOf(str(payer.sp_openid), str(payer.sub_openid)) : undefined,
    paidAt: state === 'succeeded' ? rfc3339(t.success_time) : undefined,
    ...(state === 'succeeded' ? {} : { code: tradeState, message: desc }),
  };
}

/** A v2 answer for a paid trade (micropay SUCCESS, orderquery SUCCESS/REFUND). */
export function paidStatusOfV2(d: Record<string, string>): PaymentStatus {
  return {
    state: 'succeeded',
    channelTradeNo: str(d.transaction_id),
    amount: fenOf(d.total_fee),
    payer: payerOf(str(d.openid), str(d.sub_openid)),
    paidAt: v2Time(d.time_end),
  };
}

/** A v2 orderquery answer whose result_code is SUCCESS. */
export function paymentStatusOfOrderquery(d: Record<string, string>): PaymentStatus {
  const state = tradeStatus(d.trade_state ?? '', d.trade_state_desc);
  if (state === 'succeeded') return paidStatusOfV2(d);
  return { state, channelTradeNo: str(d.transaction_id), code: d.trade_state, message: d.trade_state_desc };
}

/**
 * refund `status` (apply, query, apply-abnormal-refund, REFUND.* refund_status) → our refund state.
 * WeChat's refund guide (partner 4013080623): CLOSED = closed after 7 days PROCESSING without the
 * balance to pay it (no money moved: failed); ABNORMAL = 退款异常, the customer's card was cancelled
 * or frozen, the money waits in WeChat's refund account until apply-abnormal-refund (or the
 * merchant platform) sends it elsewhere: it left the merchant, so it is never `failed`.
 */
export const REFUND_STATUS_TABLE: Readonly<Record<string, RefundState>> = {
  SUCCESS: 'succeeded',
  PROCESSING: 'pending',
  CLOSED: 'failed',
  ABNORMAL: 'abnormal',
};

export function refundStatusOf(r: Json): RefundStatus {
  const status = str(r.status) ?? str(r.refund_status) ?? '';
  const state = Object.hasOwn(REFUND_STATUS_TABLE, status) ? REFUND_STATUS_TABLE[status] : undefined;
  if (!state) throw new ChannelError('system_error', `unknown refund status ${status}`, status);
  const account = str(r.user_received_account);
  return {
    state,
    channelRefundNo: str(r.refund_id),
    ...(state === 'failed' ? { code: status, message: `refund ${status}` } : {}),
    ...(state === 'abnormal'
      ? { code: status, message: `refund ABNORMAL: ${account ?? 'the receiving account'} cannot take it` }
      : {}),
  };
}

/** A decrypted notification resource → ChannelNotification; undefined for event types we do not handle. */
export function notificationOf(eventType: string, resource: Json): ChannelNotification | undefined {
  const outTradeNo = str(resource.out_trade_no);
  if (!outTradeNo) return undefined;
  if (eventType.startsWith('TRANSACTION.'))
    return { kind: 'payment', outTradeNo, status: paymentStatusOfTransaction(resource) };
  if (eventType.startsWith('REFUND.')) {
    const outRefundNo = str(resource.out_refund_no);
    if (!outRefundNo) return undefined;
    return { kind: 'refund', outTradeNo, outRefundNo, status: refundStatusOf(resource) };
  }
  return undefined;
}
