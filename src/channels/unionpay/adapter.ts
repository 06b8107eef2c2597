import { systemClock, type Clock } from '../../core/clock.js';
import {
  ChannelError,
  type BillRecord,
  type Channel,
  type ChannelConfig,
  type ChannelNotification,
  type ChannelOrder,
  type CreateResult,
  type NotificationAck,
  type PaymentStatus,
  type PayWay,
  type RawNotification,
  type RefundRequest,
  type RefundStatus,
  type ReverseRequest,
  type ReverseResult,
} from '../channel.js';
import { AcpClient, AcpVerifyError, type AcpAnswer } from './client.js';
import { acpCallError } from './errors.js';
import { parseUnionpayNotification } from './notify.js';
import { billRecordsOfDayFile, downloadDayFile, unionpayBillIdentity, unionpayBillOrderId } from './bill.js';
import {
  acpCancelId,
  acpOrderId,
  acpRefundId,
  acpRequestError,
  cancelResultOf,
  paymentStatusOf,
  refundStatusOf,
  refundTxnTime,
} from './status.js';
import { unionpaySettings, type UnionpaySettings } from './config.js';
import { formatTxnTime } from './protocol/txn-time.js';

/**
 * UnionPay QR (ACP 5.1.0) behind the Channel interface: `unionpay_qr` is C2B 主扫 (the customer's
 * UnionPay app opens the qrCode URL), `unionpay_micropay` is B2C 被扫 with the customer's payment
 * code. Endpoints and keys come from the merchant's configuration only (see config.ts).
 *
 * Choices the protocol leaves to us:
 * - ACP has no close for an unpaid C2B order: close() queries and, when the order is unpaid,
 *   reports `closed`. The order is over for JuhePay; if the customer still pays the lapsed code,
 *   the payment arrives by notification and becomes a late-payment exception, never lost.
 *   A B2C still waiting for the password is cancelled (撤销) instead.
 * - A 00 answer to a B2C payment, a cancel or a refund means "accepted" (受理), not done: the
 *   result is open (`user_paying` / a pending reverse / `pending`) until the notification or a
 *   query of that transaction says otherwise. Its txnTime is read back from the refund id, so a lost answer
 *   (12 重复交易 on retry) is resolved by query, never by a second refund.
 */

const PAY_WAYS = ['unionpay_qr', 'unionpay_micropay'] as const satisfies readonly PayWay[];

export interface UnionpayChannelOptions {
  clock?: Clock;
  /** per-request timeout; the ACP SDKs use 30 s */
  timeoutMs?: number;
}

type OrderRef = Pick<ChannelOrder, 'outTradeNo' | 'createdAt'> & { notifyUrl?: string };

export function createUnionpayChannel(options: UnionpayChannelOptions = {}): Channel {
  const clock = options.clock ?? systemClock;
  const setup = (config: ChannelConfig) => {
    // signer certificates must be valid now, by the injected clock
    const settings = unionpaySettings(config, options.timeoutMs, clock.now());
    return { settings, client: new AcpClient(settings.client) };
  };
  const call = async (what: string, send: () => Promise<AcpAnswer>): Promise<AcpAnswer> => {
    try {
      return await send();
    } catch (error) {
      throw acpCallError(error, what);
    }
  };

  /** queryTrans of one of our transactions: undefined when UnionPay has none (34). */
  const queryTxn = async (client: AcpClient, orderId: string, txnTime: string, what: string) => {
    const answer = await call(what, () => client.query({ orderId, txnTime }));
    if (answer.respCode === '34') return undefined;
    if (answer.respCode !== '00')
      throw (
        acpRequestError(answer.fields, what) ??
        new ChannelError('system_error', `unionpay ${what}: ${answer.respCode}`)
      );
    return answer.fields;
  };

  const queryPayment = async (client: AcpClient, order: OrderRef) => {
    const fields = await queryTxn(
      client,
      acpOrderId(order.outTradeNo),
      formatTxnTime(order.createdAt),
      'query',
    );
    return {
      fields,
      status: fields
        ? paymentStatusOf(fields, fields.origRespCode)
        : ({ state: 'not_found' } as PaymentStatus),
    };
  };

  /** where UnionPay notifies follow-ups (cancels) that the interface gives no notifyUrl for */
  const backUrlFor = (config: ChannelConfig, order: OrderRef): string => {
    const url = order.notifyUrl || config.fields.back_url;
    if (!url || !/^https?:\/\/\S+$/.test(url))
      throw new ChannelError(
        'config',
        'unionpay needs a backUrl for a cancel: pass the order notifyUrl or set back_url',
      );
    return url;
  };

  const MAY_HAVE_TAKEN: readonly string[] = ['succeeded', 'user_paying', 'pending'];

  /**
   * 消费撤销 is a transaction of its own: its orderId (`<order>C`) and txnTime (`requestedAt`) are
   * fixed, so it is sent once and then found again by query. Its 00 answer is "accepted" only
   * (ACP: 交易已受理，等待接收后台通知), so a reverse is confirmed by the cancel's own origRespCode
   * (or its notification), never by the original payment, which still reads 00 after a cancel.
   */
  const cancel = async (
    config: ChannelConfig,
    client: AcpClient,
    rev: ReverseRequest,
  ): Promise<ReverseResult> => {
    const orderId = acpCancelId(rev.outTradeNo);
    const txnTime = formatTxnTime(rev.requestedAt);
    const sent = await queryTxn(client, orderId, txnTime, 'cancel query');
    if (sent) return cancelResultOf(sent);
    const { fields, status } = await queryPayment(client, rev);
    if (!fields || !MAY_HAVE_TAKEN.includes(status.state) || !fields.queryId)
      return { state: 'reversed', action: 'close', code: status.code, message: 'nothing was taken' };
    const answer = await call('cancel', () =>
      client.cancel({
        orderId,
        txnTime,
        txnAmt: Number(fields.txnAmt),
        origQryId: fields.queryId!,
        backUrl: backUrlFor(config, rev),
        reqReserved: rev.outTradeNo,
      }),
    );
    const accepted = {
      state: 'pending' as const,
      channelReverseNo: answer.fields.queryId,
      code: answer.respCode,
    };
    if (answer.status.outcome === 'success' || answer.status.outcome === 'unknown') return accepted;
    if (answer.respCode === '12') return accepted; // sent before, found by the next attempt's query
    if (answer.respCode === '35') {
      // the payment moved under us (the customer gave up typing the password): nothing left to cancel?
      const now = await queryPayment(client, rev);
      if (!MAY_HAVE_TAKEN.includes(now.status.state))
        return { state: 'reversed', action: 'close', code: now.status.code, message: 'nothing was taken' };
    }
    const error = acpRequestError(answer.fields, 'cancel')!;
    if (error.kind !== 'rejected') throw error;
    return { state: 'refused', code: answer.respCode, message: error.message };
  };

  const refundQuery = async (config: ChannelConfig, refund: RefundRequest): Promise<RefundStatus> => {
    const { client } = setup(config);
    const fields = await queryTxn(
      client,
      acpRefundId(refund.outRefundNo),
      refundTxnTime(refund.outRefundNo),
      'refund query',
    );
    return fields ? refundStatusOf(fields, fields.origRespCode) : { state: 'not_found' };
  };

  return {
    id: 'unionpay',
    payWays: PAY_WAYS,

    async create(config, payWay, order): Promise<CreateResult> {
      if (payWay !== 'unionpay_qr')
        throw new ChannelError(
          'rejected',
          `unionpay creates unionpay_qr orders; ${payWay} is not one (micropay goes by payByCode)`,
        );
      const { settings, client } = setup(config);
      const orderId = acpOrderId(order.outTradeNo);
      const answer = await call('c2b', () =>
        client.c2b({
          orderId,
          txnTime: formatTxnTime(order.createdAt),
          txnAmt: order.amount,
          backUrl: order.notifyUrl,
        }),
      );
      const qrCode = answer.fields.qrCode;
      if (answer.status.outcome === 'success' && qrCode) {
        return { action: withSandbox({ type: 'redirect', url: qrCode }, settings, orderId) };
      }
      throw (
        acpRequestError(answer.fields, 'c2b') ??
        new ChannelError(
          'system_error',
          `unionpay c2b: no qrCode (respCode ${answer.respCode})`,
          answer.respCode,
        )
      );
    },

    async payByCode(config, order, authCode): Promise<PaymentStatus> {
      if (!/^\d{16,24}$/.test(authCode))
        throw new ChannelError('rejected', 'a UnionPay payment code is 16–24 digits');
      const { client } = setup(config);
      let answer: AcpAnswer;
      try {
        answer = await client.b2c({
          orderId: acpOrderId(order.outTradeNo),
          txnTime: formatTxnTime(order.createdAt),
          txnAmt: order.amount,
          backUrl: order.notifyUrl,
          qrNo: authCode,
        });
      } catch (error) {
        // an answer that does not verify came back: the request got somewhere, the code may be charged
        if (error instanceof AcpVerifyError)
          return { state: 'user_paying', code: 'untrusted_answer', message: error.message };
        throw acpCallError(error, 'b2c');
      }
      const { fields, respCode } = answer;
      if (respCode === '12') return (await queryPayment(client, order)).status; // our earlier try got through
      const error = acpRequestError(fields, 'b2c');
      if (error && error.kind !== 'rejected') throw error;
      // 00 (like 03/04/05) is "accepted", not paid (ACP: 交易已受理，不代表交易已成功): the result, and
      // the amount paid, come from the notification or a query, never from this answer or the order
      if (answer.status.outcome === 'success' || answer.status.outcome === 'unknown')
        return {
          state: 'user_paying',
          channelTradeNo: fields.queryId || undefined,
          code: respCode,
          message: 'accepted (受理); the result comes by notification or query',
        };
      return paymentStatusOf({ ...fields, txnSubType: '06' }, respCode);
    },

    async query(config, order) {
      return (await queryPayment(setup(config).client, order)).status;
    },

    async close(config, order) {
      const { client } = setup(config);
      const { status } = await queryPayment(client, order);
      if (status.state === 'user_paying') {
        // a B2C still waiting for the password is cancelled; the cancel is confirmed by its query
        const rev = { ...order, requestedAt: clock.now() };
        let result = await cancel(config, client, rev);
        if (result.state === 'pending') result = await cancel(config, client, rev);
        if (result.state === 'reversed') return { ...status, state: 'closed', code: result.code };
        if (result.state === 'pending')
          throw new ChannelError('timeout', 'unionpay cancel: accepted, not yet confirmed; ask again');
        return (await queryPayment(client, order)).status;
      }
      if (status.state === 'pending')
        return {
          ...status,
          state: 'closed',
          message: 'UnionPay has no close for a C2B order: it lapses; a later payment is notified',
        };
      return status;
    },

    async reverse(config, rev) {
      return cancel(config, setup(config).client, rev);
    },

    async refund(config, refund): Promise<RefundStatus> {
      const { client } = setup(config);
      let origQryId = refund.channelTradeNo;
      if (!origQryId) {
        const { status } = await queryPayment(client, {
          outTradeNo: refund.outTradeNo,
          createdAt: refund.orderCreatedAt,
        });
        if (status.state !== 'succeeded' || !status.channelTradeNo)
          throw new ChannelError('rejected', `unionpay refund: the payment is ${status.state} at UnionPay`);
        origQryId = status.channelTradeNo;
      }
      const answer = await call('refund', () =>
        client.refund({
          orderId: acpRefundId(refund.outRefundNo),
          txnTime: refundTxnTime(refund.outRefundNo),
          txnAmt: refund.amount,
          origQryId: origQryId!,
          backUrl: refund.notifyUrl,
          reqReserved: refund.outTradeNo,
        }),
      );
      if (answer.respCode === '12') return refundQuery(config, refund); // sent before: ask what became of it
      const error = acpRequestError(answer.fields, 'refund');
      if (error && error.kind !== 'rejected') throw error;
      if (error) return { state: 'failed', code: answer.respCode, message: error.message };
      // 00 is "accepted": the result comes by notification or query
      return { state: 'pending', channelRefundNo: answer.fields.queryId, code: answer.respCode };
    },

    refundQuery,

    async parseNotification(config, raw: RawNotification): Promise<ChannelNotification> {
      const { settings, client } = setup(config);
      return parseUnionpayNotification(client, settings.client.merchant.merId, raw.body);
    },

    ack(accepted): NotificationAck {
      // UnionPay judges by the HTTP status alone: 200 stops its retries
      return accepted
        ? { status: 200, contentType: 'text/plain', body: 'ok' }
        : { status: 500, contentType: 'text/plain', body: 'retry' };
    },

    // the day file from UnionPay's file-transfer endpoint, in its real layout (bill.ts)
    async downloadBill(config, date): Promise<BillRecord[]> {
      const file = await downloadDayFile(config, date, clock, options.timeoutMs);
      return file ? billRecordsOfDayFile(file) : []; // 98: no transactions that day
    },
    billIdentity: unionpayBillIdentity,
    billOrderId: unionpayBillOrderId,
    downloadBillFile: (config, date) => downloadDayFile(config, date, clock, options.timeoutMs),
  };
}

function withSandbox<A extends { type: 'redirect'; url: string }>(
  action: A,
  settings: UnionpaySettings,
  orderId: string,
) {
  return settings.sandboxPayUrl ? { ...action, sandbox_url: settings.sandboxPayUrl(orderId) } : action;
}
