import type { FastifyReply } from 'fastify';
import type { AcpFields } from '../../channels/unionpay/protocol/form.js';
import type { KnownRespCode } from '../../channels/unionpay/status.js';
import { beijingDay } from '../../channels/unionpay/protocol/txn-time.js';
import type { SandboxContext } from '../context.js';
import { billingOf } from '../billing.js';
import { dayFile } from './day-file.js';
import { notifyResult, resultFields, sendAcpAnswer } from './messages.js';
import type { UnionpayStore, UpTxn } from './store.js';

/**
 * The business of each ACP transaction, after the request passed its checks. Handlers answer
 * with a respCode and extra fields; the caller signs and sends.
 */

/** how long a customer takes to enter the password (B2C `password`), and to give up (`timeout`) */
export const PASSWORD_ENTRY_MS = 10_000;
export const PASSWORD_TIMEOUT_MS = 60_000;
/**
 * An accepted (00) B2C payment without a password, and an accepted cancel (消费撤销), are done this
 * long after the answer: until then their own query reads origRespCode 05, then 00 and a notification.
 */
export const ACCEPTED_TO_DONE_MS = 1_000;

export type Answer = { code: KnownRespCode; extra?: AcpFields };

export class UnionpayGateway {
  constructor(
    private readonly ctx: SandboxContext,
    private readonly store: UnionpayStore,
  ) {}

  answer(reply: FastifyReply, request: AcpFields, a: Answer) {
    return sendAcpAnswer(this.ctx, reply, request, a.code, a.extra);
  }

  private newTxn(f: AcpFields, extra: Partial<UpTxn> & Pick<UpTxn, 'state' | 'respCode'>): UpTxn | undefined {
    return this.store.create({
      merId: f.merId!,
      orderId: f.orderId!,
      txnTime: f.txnTime!,
      txnType: f.txnType!,
      txnSubType: f.txnSubType!,
      txnAmt: Number(f.txnAmt),
      backUrl: f.backUrl,
      reqReserved: f.reqReserved,
      accessType: f.accessType,
      bizType: f.bizType,
      ...extra,
    });
  }

  c2b(f: AcpFields): Answer {
    const txn = this.newTxn(f, { state: 'awaiting_scan', respCode: '05' });
    if (!txn) return { code: '12' };
    return { code: '00', extra: { qrCode: txn.qrCode! } };
  }

  b2c(f: AcpFields): Answer {
    const code = this.ctx.paycodes.lookup(f.qrNo!);
    if (!code || code.wallet !== 'unionpay' || code.used) return { code: '44' };
    if (this.store.find(f.merId!, f.orderId!, f.txnTime!)) return { code: '12' };
    this.ctx.paycodes.markUsed(f.qrNo!);
    const now = this.ctx.clock.nowMs();
    const scaled = (ms: number) => this.ctx.scheduler.dueIn(ms) - now;
    const plan =
      code.scenario === 'success'
        ? {
            state: 'pending' as const,
            respCode: '05',
            settlesAtMs: now + scaled(ACCEPTED_TO_DONE_MS),
            settlesTo: '00',
          }
        : code.scenario === 'insufficient_funds'
          ? { state: 'failed' as const, respCode: '64' }
          : code.scenario === 'password'
            ? {
                state: 'pending' as const,
                respCode: '05',
                settlesAtMs: now + scaled(PASSWORD_ENTRY_MS),
                settlesTo: '00',
              }
            : {
                state: 'pending' as const,
                respCode: '05',
                settlesAtMs: now + scaled(PASSWORD_TIMEOUT_MS),
                settlesTo: '69',
              };
    const txn = this.newTxn(f, { ...plan, qrNo: f.qrNo })!;
    if (txn.state === 'pending') this.settleLater(txn);
    // ACP: 00 = accepted (交易已受理，不代表交易已成功); the result comes by notification or query
    const accepted = txn.state === 'pending' ? '00' : txn.respCode;
    return { code: accepted as KnownRespCode, extra: { queryId: txn.queryId } };
  }

  /** the customer finishes (or abandons) the password entry; a success is notified */
  private settleLater(txn: UpTxn): void {
    this.ctx.scheduler.at(txn.settlesAtMs ?? this.ctx.clock.nowMs(), () => {
      // a query may have settled it first (and notified): only a change is notified
      if (this.store.refresh(txn) && txn.state === 'success') notifyResult(this.ctx, txn);
    });
  }

  query(f: AcpFields): Answer {
    const txn = f.queryId
      ? this.store.byQueryId(f.queryId)
      : this.store.find(f.merId!, f.orderId!, f.txnTime!);
    if (!txn || txn.merId !== f.merId || txn.state === 'awaiting_scan') return { code: '34' };
    if (this.store.refresh(txn) && txn.state === 'success') notifyResult(this.ctx, txn);
    return {
      code: '00',
      extra: {
        ...resultFields(txn),
        origRespCode: txn.respCode,
        origRespMsg: txn.respCode === '00' ? '成功[0000000]' : '',
      },
    };
  }

  private original(f: AcpFields): UpTxn | undefined {
    const orig = this.store.byQueryId(f.origQryId!);
    if (!orig || orig.merId !== f.merId || orig.txnType !== '01') return undefined;
    this.store.refresh(orig);
    return orig;
  }

  refund(f: AcpFields): Answer {
    const orig = this.original(f);
    if (!orig || orig.state !== 'success' || orig.cancelled) return { code: '35' };
    const amount = Number(f.txnAmt);
    if (orig.refundedAmt + amount > orig.txnAmt) return { code: '36' };
    const txn = this.newTxn(f, { state: 'success', respCode: '00', origQryId: orig.queryId });
    if (!txn) return { code: '12' };
    orig.refundedAmt += amount;
    notifyResult(this.ctx, txn);
    return { code: '00', extra: { queryId: txn.queryId } };
  }

  /**
   * 消费撤销: the whole amount, the same Beijing day, nothing refunded yet; also stops a pending B2C.
   * It is a transaction of its own: 00 = accepted; its own query reads 05, then 00 (notified). The
   * original payment is not rewritten: a paid one still reads origRespCode 00, as at UnionPay.
   */
  cancel(f: AcpFields): Answer {
    const orig = this.original(f);
    if (!orig || orig.cancelled || orig.refundedAmt > 0 || !['success', 'pending'].includes(orig.state))
      return { code: '35' };
    if (orig.state === 'success' && orig.day !== beijingDay(this.ctx.clock.now())) return { code: '35' };
    if (Number(f.txnAmt) !== orig.txnAmt) return { code: '36' };
    const txn = this.newTxn(f, {
      state: 'pending',
      respCode: '05',
      origQryId: orig.queryId,
      settlesAtMs: this.ctx.scheduler.dueIn(ACCEPTED_TO_DONE_MS),
      settlesTo: '00',
    });
    if (!txn) return { code: '12' };
    if (orig.state === 'pending') {
      orig.state = 'failed';
      orig.respCode = '01';
      orig.settlesAtMs = undefined;
    } else orig.cancelled = true;
    this.settleLater(txn);
    return { code: '00', extra: { queryId: txn.queryId } };
  }

  /** the day file of a settle date, in UnionPay's ZM layout (day-file.ts); 98 when there is none */
  file(f: AcpFields): Answer {
    const year = beijingDay(this.ctx.clock.now()).slice(0, 4);
    const file = dayFile(this.store, billingOf(this.ctx), f.merId!, f.settleDate!, year);
    if (!file) return { code: '98' };
    return { code: '00', extra: file };
  }
}
