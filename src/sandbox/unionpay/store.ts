import { randomInt } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import {
  beijingDay,
  formatTxnTime,
  settleDateOf,
  traceTimeOf,
} from '../../channels/unionpay/protocol/txn-time.js';

/**
 * The UnionPay simulator's memory: one record per ACP transaction (payment, cancel, refund).
 * A C2B order is a record waiting to be scanned; it becomes a consume when the customer pays.
 * Pending B2C payments (password entry) settle lazily: `refresh` moves them once their time is up.
 */

export type UpState = 'awaiting_scan' | 'pending' | 'success' | 'failed';

export interface UpTxn {
  queryId: string;
  merId: string;
  orderId: string;
  txnTime: string;
  txnType: string;
  txnSubType: string;
  txnAmt: number;
  backUrl?: string;
  reqReserved?: string;
  /** echoed in the notification as the merchant sent them */
  accessType?: string;
  bizType?: string;
  qrCode?: string;
  qrNo?: string;
  origQryId?: string;
  state: UpState;
  /** origRespCode: 05 while pending, the final code after */
  respCode: string;
  /** when a pending payment settles, and to which code */
  settlesAtMs?: number;
  settlesTo?: string;
  traceNo: string;
  traceTime: string;
  settleDate: string;
  /** Beijing calendar day, yyyyMMdd, for same-day cancels */
  day: string;
  refundedAmt: number;
  cancelled: boolean;
  notified: boolean;
}

export type NewUpTxn = Pick<
  UpTxn,
  'merId' | 'orderId' | 'txnTime' | 'txnType' | 'txnSubType' | 'txnAmt' | 'state' | 'respCode'
> &
  Partial<
    Pick<
      UpTxn,
      | 'backUrl'
      | 'reqReserved'
      | 'accessType'
      | 'bizType'
      | 'qrNo'
      | 'origQryId'
      | 'settlesAtMs'
      | 'settlesTo'
    >
  >;

const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');

export class UnionpayStore {
  private readonly byKey = new Map<string, UpTxn>();
  private readonly byQuery = new Map<string, UpTxn>();
  private trace = randomInt(100_000, 900_000);

  constructor(private readonly clock: Clock) {}

  private static key(merId: string, orderId: string, txnTime: string): string {
    return `${merId}|${orderId}|${txnTime}`;
  }

  /** undefined when merId+orderId+txnTime is already taken (ACP 12 重复交易) */
  create(input: NewUpTxn): UpTxn | undefined {
    const key = UnionpayStore.key(input.merId, input.orderId, input.txnTime);
    if (this.byKey.has(key)) return undefined;
    const txn: UpTxn = {
      ...input,
      queryId: '',
      traceNo: '',
      traceTime: '',
      settleDate: '',
      day: '',
      refundedAmt: 0,
      cancelled: false,
      notified: false,
    };
    if (txn.state === 'awaiting_scan') txn.qrCode = `https://qr.95516.com/00010000/01${digits(30)}`;
    else this.stamp(txn);
    this.byKey.set(key, txn);
    return txn;
  }

  /** queryId = 2 digits + yyMMddHHmmss (Beijing) + traceNo + 1 digit, 21 in all, like the real ones */
  private stamp(txn: UpTxn): void {
    const now = this.clock.now();
    this.trace = this.trace >= 999_999 ? 100_000 : this.trace + 1;
    txn.traceNo = String(this.trace);
    txn.traceTime = traceTimeOf(now);
    txn.settleDate = settleDateOf(now);
    txn.day = beijingDay(now);
    txn.queryId = `${randomInt(10, 100)}${formatTxnTime(now).slice(2)}${txn.traceNo}${randomInt(10)}`;
    this.byQuery.set(txn.queryId, txn);
  }

  find(merId: string, orderId: string, txnTime: string): UpTxn | undefined {
    return this.byKey.get(UnionpayStore.key(merId, orderId, txnTime));
  }

  byQueryId(queryId: string): UpTxn | undefined {
    return this.byQuery.get(queryId);
  }

  /** the latest C2B order with this orderId or qrCode, for the customer's side */
  findC2b(orderIdOrQrCode: string): UpTxn | undefined {
    return [...this.byKey.values()]
      .reverse()
      .find((t) => t.txnSubType === '07' && (t.orderId === orderIdOrQrCode || t.qrCode === orderIdOrQrCode));
  }

  /** The customer pays a scanned C2B order. */
  payC2b(txn: UpTxn): boolean {
    if (txn.state !== 'awaiting_scan') return false;
    this.stamp(txn);
    txn.state = 'success';
    txn.respCode = '00';
    return true;
  }

  /** Settles a pending payment whose time has come; true when it changed. */
  refresh(txn: UpTxn): boolean {
    if (txn.state !== 'pending' || txn.settlesAtMs === undefined || this.clock.nowMs() < txn.settlesAtMs)
      return false;
    const code = txn.settlesTo ?? '00';
    txn.state = code === '00' ? 'success' : 'failed';
    txn.respCode = code;
    return true;
  }

  /** Successful transactions of a merchant on a settle date (MMdd), in time order. */
  settledOn(merId: string, settleDate: string): UpTxn[] {
    return [...this.byKey.values()].filter(
      (t) => t.merId === merId && t.settleDate === settleDate && t.state === 'success',
    );
  }

  pendingTxns(): UpTxn[] {
    return [...this.byKey.values()].filter((t) => t.state === 'pending');
  }
}
