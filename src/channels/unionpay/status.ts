import { ID_PREFIXES, idTimestampMs, isId } from '../../core/ids.js';
import type {
  BillRecord,
  ChannelPaymentState,
  PaymentStatus,
  RefundState,
  RefundStatus,
  ReverseResult,
} from '../channel.js';
import { ChannelError } from '../channel.js';
import type { AcpFields } from './protocol/form.js';
import type { ReconFile } from './protocol/recon-file.js';
import { formatTxnTime, parseTxnTime } from './protocol/txn-time.js';

/**
 * ACP respCode / origRespCode, in one table. `success` = done; `unknown` = ask again by query
 * (03/04/05); `not_found` = the channel has no such transaction (34); `failed` = final failure.
 * `retryable` marks answers where the request was not processed and may be sent again as is.
 */

export type AcpOutcome = 'success' | 'unknown' | 'not_found' | 'failed';

export interface AcpRespCode {
  message: string;
  outcome: AcpOutcome;
  retryable?: boolean;
}

export const ACP_RESP_CODES = {
  '00': { message: '成功', outcome: 'success' },
  '01': { message: '交易失败', outcome: 'failed' },
  '02': { message: '系统未开放或暂时关闭，请稍后再试', outcome: 'failed', retryable: true },
  '03': { message: '交易通讯超时，请发起查询交易', outcome: 'unknown' },
  '04': { message: '交易状态未明，请查询对账结果', outcome: 'unknown' },
  '05': { message: '交易已受理，请稍后查询交易结果', outcome: 'unknown' },
  '06': { message: '系统繁忙，请稍后再试', outcome: 'failed', retryable: true },
  '10': { message: '报文格式错误', outcome: 'failed' },
  '11': { message: '验证签名失败', outcome: 'failed' },
  '12': { message: '重复交易', outcome: 'failed' },
  '13': { message: '报文交易要素缺失', outcome: 'failed' },
  '31': { message: '商户状态不正确', outcome: 'failed' },
  '32': { message: '无此交易权限', outcome: 'failed' },
  '34': { message: '查无此交易', outcome: 'not_found' },
  '35': { message: '原交易不存在或状态不正确', outcome: 'failed' },
  '36': { message: '与原交易信息不符', outcome: 'failed' },
  '44': { message: '输入号码错误或暂未开通此项业务', outcome: 'failed' },
  '64': { message: '卡上的余额不足', outcome: 'failed' },
  '69': { message: '您的输入超时，交易失败', outcome: 'failed' },
  '98': { message: '文件不存在', outcome: 'failed' },
  '99': { message: '通用错误', outcome: 'failed' },
} as const satisfies Record<string, AcpRespCode>;

export type KnownRespCode = keyof typeof ACP_RESP_CODES;

/** Any code not in the table is a failure (the channel said no, in a way we do not know). */
export function classifyRespCode(code: string | undefined): AcpRespCode {
  if (code !== undefined && Object.hasOwn(ACP_RESP_CODES, code)) return ACP_RESP_CODES[code as KnownRespCode];
  return { message: `unknown respCode ${code ?? '(missing)'}`, outcome: 'failed' };
}

/**
 * Pure translations between JuhePay and ACP. ACP orderIds are 8–40 letters and digits (no `_`),
 * so our ids travel without their prefix: `ord_<26>` → `<26>` for payments, `rfd_<26>` → `<26>`
 * for refunds, and a cancel (撤销) of a payment is `<26 of the order>C` (upper-case C is outside
 * our lower-case alphabet, so it can never be mistaken for an order id). The txnType of a
 * message says which of these an orderId is.
 */

const ORDER = `${ID_PREFIXES.order}_`;
const REFUND = `${ID_PREFIXES.refund}_`;
const CANCEL_SUFFIX = 'C';

export function acpOrderId(orderId: string): string {
  if (!isId('order', orderId)) throw new ChannelError('rejected', `${orderId} is not a JuhePay order id`);
  return orderId.slice(ORDER.length);
}

export function acpRefundId(refundId: string): string {
  if (!isId('refund', refundId)) throw new ChannelError('rejected', `${refundId} is not a JuhePay refund id`);
  return refundId.slice(REFUND.length);
}

export function acpCancelId(orderId: string): string {
  return `${acpOrderId(orderId)}${CANCEL_SUFFIX}`;
}

/** The order id an ACP orderId of a payment (or of a cancel) stands for; undefined when it is not ours. */
export function orderIdOfAcp(acpId: string | undefined): string | undefined {
  if (!acpId) return undefined;
  const body = acpId.endsWith(CANCEL_SUFFIX) ? acpId.slice(0, -1) : acpId;
  const id = `${ORDER}${body}`;
  return isId('order', id) ? id : undefined;
}

/** A refund's reqReserved carries the full order id: '' when it does not (a refund made outside JuhePay). */
export function orderIdOfReserved(reqReserved: string | undefined): string {
  return isId('order', reqReserved) ? reqReserved : '';
}

export function refundIdOfAcp(acpId: string | undefined): string | undefined {
  const id = `${REFUND}${acpId ?? ''}`;
  return isId('refund', id) ? id : undefined;
}

/** A refund's txnTime is its creation time, read back from the refund id, so a query can find it again. */
export function refundTxnTime(refundId: string): string {
  const ms = idTimestampMs('refund', refundId);
  if (ms === undefined) throw new ChannelError('rejected', `${refundId} is not a JuhePay refund id`);
  return formatTxnTime(new Date(ms));
}

const B2C_SUBTYPE = '06';

/**
 * A state answer must be a code we know: a missing or unfamiliar origRespCode says nothing final
 * about money that may already have moved, so it reads as still pending (and is asked again).
 */
function stateOutcome(code: string | undefined) {
  return code !== undefined && Object.hasOwn(ACP_RESP_CODES, code)
    ? classifyRespCode(code).outcome
    : 'unknown';
}

/** origRespCode (with the payment's txnSubType) → the state JuhePay decides on. */
export function paymentStateOf(
  code: string | undefined,
  txnSubType: string | undefined,
): ChannelPaymentState {
  const outcome = stateOutcome(code);
  if (outcome === 'success') return 'succeeded';
  if (outcome === 'not_found') return 'not_found';
  if (outcome === 'unknown') return txnSubType === B2C_SUBTYPE ? 'user_paying' : 'pending';
  return 'failed';
}

export function refundStateOf(code: string | undefined): RefundState {
  const outcome = stateOutcome(code);
  if (outcome === 'success') return 'succeeded';
  if (outcome === 'not_found') return 'not_found';
  if (outcome === 'unknown') return 'pending';
  return 'failed';
}

/**
 * traceTime is MMddHHmmss with no year: the year is the txnTime's, or the next one when the trace
 * would fall months before the order (made on 31 Dec, paid on 1 Jan). A trace a little before
 * txnTime is clock skew between us and UnionPay, not a year later.
 */
export function paidAtOf(txnTime: string | undefined, traceTime: string | undefined): Date | undefined {
  const created = txnTime ? parseTxnTime(txnTime) : undefined;
  if (!created || !traceTime || !/^\d{10}$/.test(traceTime)) return created;
  const year = Number(txnTime!.slice(0, 4));
  const sameYear = parseTxnTime(`${year}${traceTime}`);
  if (sameYear && created.getTime() - sameYear.getTime() < 180 * 86_400_000) return sameYear;
  return parseTxnTime(`${year + 1}${traceTime}`) ?? created;
}

/**
 * What UnionPay says was paid: txnAmt of its answer (query or notification), else settleAmt when
 * it is in CNY (156). Never the order's amount: money is read as moved only as the channel says.
 */
export function paidAmountOf(fields: AcpFields): number | undefined {
  const fen = (v: string | undefined) => (v && /^\d{1,12}$/.test(v) ? Number(v) : undefined);
  const settleCny = !fields.settleCurrencyCode || fields.settleCurrencyCode === '156';
  return fen(fields.txnAmt) ?? (settleCny ? fen(fields.settleAmt) : undefined);
}

/** Result fields of a query answer or a notification about a payment. */
export function paymentStatusOf(fields: AcpFields, code: string | undefined): PaymentStatus {
  const state = paymentStateOf(code, fields.txnSubType);
  const status: PaymentStatus = { state, code, message: classifyRespCode(code).message };
  if (fields.queryId) status.channelTradeNo = fields.queryId;
  if (state === 'succeeded') {
    status.amount = paidAmountOf(fields);
    // a success without an amount cannot be checked against the order: ask again rather than guess
    if (status.amount === undefined)
      throw new ChannelError('system_error', 'unionpay: a success without txnAmt or settleAmt');
    status.paidAt = paidAtOf(fields.txnTime, fields.traceTime);
  }
  return status;
}

/**
 * A query answer about one of our cancels (消费撤销, txnType 31): origRespCode 00 = the payment
 * is reversed; 03/04/05 = still in progress; any other = the cancel failed, the payment stands.
 */
export function cancelResultOf(fields: AcpFields): ReverseResult {
  const code = fields.origRespCode;
  const outcome = stateOutcome(code);
  const base = {
    channelReverseNo: fields.queryId || undefined,
    code,
    message: classifyRespCode(code).message,
  };
  if (outcome === 'success') return { state: 'reversed', ...base };
  if (outcome === 'unknown' || outcome === 'not_found') return { state: 'pending', ...base };
  return { state: 'refused', ...base };
}

export function refundStatusOf(fields: AcpFields, code: string | undefined): RefundStatus {
  const status: RefundStatus = { state: refundStateOf(code), code, message: classifyRespCode(code).message };
  if (fields.queryId) status.channelRefundNo = fields.queryId;
  return status;
}

/**
 * A respCode that is a refusal of OUR request rather than an answer about the customer's money:
 * transient (02/06) → system_error, merchant set-up (11 signature, 31 merchant state, 32 no
 * permission) → config, anything else → rejected. Returns undefined for success and unknown.
 */
export function acpRequestError(fields: AcpFields, what: string): ChannelError | undefined {
  const code = fields.respCode;
  const c = classifyRespCode(code);
  if (c.outcome === 'success' || c.outcome === 'unknown') return undefined;
  const text = `unionpay ${what}: ${code ?? '(no respCode)'} ${fields.respMsg || c.message}`;
  if (c.retryable) return new ChannelError('system_error', text, code);
  if (code === '11' || code === '31' || code === '32') return new ChannelError('config', text, code);
  return new ChannelError('rejected', text, code);
}

/** Our order id of a recon row about a payment or its cancel/refund (via the payment's queryId). */
function rowOrderId(file: ReconFile, row: ReconFile['rows'][number]): string {
  if (row.txnType === '01' || row.txnType === '31') return orderIdOfAcp(row.orderId) ?? '';
  const original = file.rows.find((r) => r.queryId === row.origQryId && r.txnType === '01');
  return orderIdOfAcp(original?.orderId) ?? '';
}

/**
 * Day-file rows → bill records. The sandbox file carries no fees (UnionPay's real INN files
 * do; they are not in our references), so fee is 0. A cancel is money going back, so it is a
 * `refund` record with no refund id. A refund of a payment made on an earlier day cannot name
 * its order from this file alone: its outTradeNo is '' and reconciliation matches it by refund id.
 */
export function billRecordsOf(file: ReconFile): BillRecord[] {
  return file.rows.map((row) => {
    const at = parseTxnTime(row.txnTime) ?? new Date(0);
    const base = {
      outTradeNo: rowOrderId(file, row),
      channelTradeNo: row.queryId,
      amount: row.txnAmt,
      fee: 0,
      at,
    };
    if (row.txnType === '01') return { ...base, kind: 'payment' as const };
    return {
      ...base,
      kind: 'refund' as const,
      outRefundNo: row.txnType === '04' ? (refundIdOfAcp(row.orderId) ?? '') : undefined,
    };
  });
}

/** YYYY-MM-DD or YYYYMMDD → ACP settleDate MMdd. */
export function settleDateOfDay(date: string): string {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(date);
  if (!m || !parseTxnTime(`${m[1]}${m[2]}${m[3]}000000`))
    throw new ChannelError('rejected', `bill date ${date} is not a calendar day (YYYY-MM-DD)`);
  return `${m[2]}${m[3]}`;
}
