import { systemClock, type Clock } from '../../core/clock.js';
import { toYuanString } from '../../core/money.js';
import {
  ChannelError,
  type Channel,
  type ChannelConfig,
  type ChannelOrder,
  type CreateResult,
  type PayerAuth,
  type PaymentStatus,
  type PayWay,
  type ReverseRequest,
  type ReverseResult,
} from '../channel.js';
import { alipayRefundsAndBills } from './refunds.js';
import { alipayBillFiles } from './bill.js';
import { callGateway, pageUrl, type GatewayCall, type GatewayOptions } from './client.js';
import { classifyResult, errorOf, paymentStatusOfTrade, okField } from './status.js';
import { parseAlipayNotification } from './notify.js';
import { alipaySettings, type AlipaySettings } from './config.js';
import { NOTIFY_ACK } from './protocol/notify.js';
import { alipayTime } from './protocol/time.js';

/**
 * The `alipay` channel: 当面付 (precreate QR, bar-code pay), JSAPI (trade.create for a buyer id
 * from user OAuth), wap pay, and the trade's query/close/cancel/refund, on alipay-sdk against the
 * gateway in the merchant's configuration. What each answer means lives in status.ts.
 */

export interface AlipayChannelOptions {
  clock?: Clock;
  /** per gateway request; a trade.pay may take a few seconds at Alipay */
  timeoutMs?: number;
}

const PAY_WAYS = ['alipay_jsapi', 'alipay_qr', 'alipay_wap', 'alipay_micropay'] as const;
/** Alipay open_ids start with 0 and are long; user ids are 2088 + 12 digits (the sandbox takes any text) */
const OPEN_ID = /^0[A-Za-z0-9_-]{20,}$/;

type Order = Pick<ChannelOrder, 'outTradeNo' | 'createdAt'>;

type CancelOutcome =
  | { type: 'done'; action: 'close' | 'refund' | undefined; tradeNo: string | undefined }
  | { type: 'not_found' }
  | { type: 'retry' | 'refused'; code: string; message: string };

export function createAlipayChannel(options: AlipayChannelOptions = {}): Channel {
  const gw: GatewayOptions = { clock: options.clock ?? systemClock, timeoutMs: options.timeoutMs ?? 15_000 };
  const call = (s: AlipaySettings, method: string, c: GatewayCall) => callGateway(s, method, c, gw);

  /** what every trade-creating request carries */
  function tradeBiz(s: AlipaySettings, order: ChannelOrder): Record<string, unknown> {
    return {
      out_trade_no: order.outTradeNo,
      total_amount: toYuanString(order.amount),
      subject: order.subject.slice(0, 256),
      time_expire: alipayTime(order.expiresAt), // so a code or link dies with the order
      ...(s.isvPid ? { extend_params: { sys_service_provider_id: s.isvPid } } : {}),
      ...(s.smid ? { sub_merchant: { merchant_id: s.smid } } : {}),
    };
  }

  /** the sandbox's confirm page that stands in for AlipayJSBridge / the wallet's scanner */
  function sandboxUrl(s: AlipaySettings, field: 'trade_no' | 'qr_code', value: string, returnUrl?: string) {
    if (!s.sandboxBase) return {};
    const q = new URLSearchParams({ [field]: value });
    if (returnUrl) q.set('return_url', returnUrl);
    return { sandbox_url: `${s.sandboxBase}/sandbox/alipay/cashier?${q.toString()}` };
  }

  async function create(config: ChannelConfig, payWay: PayWay, order: ChannelOrder): Promise<CreateResult> {
    const s = alipaySettings(config);
    const biz = tradeBiz(s, order);
    if (payWay === 'alipay_wap') {
      const url = pageUrl(
        s,
        'alipay.trade.wap.pay',
        {
          biz: { ...biz, product_code: 'QUICK_WAP_WAY' },
          notifyUrl: order.notifyUrl,
          returnUrl: order.returnUrl,
        },
        gw,
      );
      return { action: { type: 'redirect', url } };
    }
    if (payWay === 'alipay_qr') {
      const answer = await call(s, 'alipay.trade.precreate', { biz, notifyUrl: order.notifyUrl });
      const qrCode = okField(answer, 'alipay.trade.precreate', 'qr_code');
      return {
        action: { type: 'qr_code', code_url: qrCode, ...sandboxUrl(s, 'qr_code', qrCode, order.returnUrl) },
      };
    }
    if (payWay === 'alipay_jsapi') {
      const payer = order.payerId;
      if (!payer)
        throw new ChannelError(
          'rejected',
          'alipay_jsapi needs the payer id from user OAuth first',
          'buyer_id',
        );
      const answer = await call(s, 'alipay.trade.create', {
        biz: {
          ...biz,
          product_code: 'JSAPI_PAY',
          ...(OPEN_ID.test(payer) ? { buyer_open_id: payer } : { buyer_id: payer }),
        },
        notifyUrl: order.notifyUrl,
      });
      const tradeNo = okField(answer, 'alipay.trade.create', 'trade_no');
      return {
        action: {
          type: 'alipay_jsapi',
          trade_no: tradeNo,
          ...sandboxUrl(s, 'trade_no', tradeNo, order.returnUrl),
        },
        channelTradeNo: tradeNo,
      };
    }
    throw new ChannelError(
      'rejected',
      `alipay cannot create ${payWay}${payWay === 'alipay_micropay' ? ' (use payByCode)' : ''}`,
      'pay_way',
    );
  }

  async function query(
    config: ChannelConfig,
    order: Order,
    s = alipaySettings(config),
  ): Promise<PaymentStatus> {
    const answer = await call(s, 'alipay.trade.query', { biz: { out_trade_no: order.outTradeNo } });
    const cls = classifyResult(answer);
    if (cls.type === 'not_found') return { state: 'not_found' };
    if (cls.type !== 'ok') throw errorOf(cls, 'alipay.trade.query');
    const status = paymentStatusOfTrade(answer);
    if (!status)
      throw new ChannelError(
        'system_error',
        `alipay trade.query: unknown trade_status ${String(answer.trade_status)}`,
      );
    return status;
  }

  async function payByCode(
    config: ChannelConfig,
    order: ChannelOrder,
    authCode: string,
  ): Promise<PaymentStatus> {
    const s = alipaySettings(config);
    const answer = await call(s, 'alipay.trade.pay', {
      biz: {
        ...tradeBiz(s, order),
        scene: 'bar_code',
        auth_code: authCode,
        product_code: 'FACE_TO_FACE_PAYMENT',
      },
      notifyUrl: order.notifyUrl,
    });
    const cls = classifyResult(answer);
    const tradeNo = typeof answer.trade_no === 'string' ? answer.trade_no : undefined;
    switch (cls.type) {
      case 'ok':
        return paymentStatusOfTrade({ ...answer, trade_status: 'TRADE_SUCCESS' })!;
      case 'paying':
        return { state: 'user_paying', channelTradeNo: tradeNo };
      case 'unknown': // the outcome is unknown: the caller polls (and reverses on timeout)
        return { state: 'user_paying', channelTradeNo: tradeNo, code: cls.code, message: cls.message };
      case 'wrong_state': // a retry met the trade already paid or closed: ask what it is
        return query(config, order, s);
      case 'not_found':
        return { state: 'failed', code: 'ACQ.TRADE_NOT_EXIST', message: 'trade not found' };
      case 'refused':
        if (cls.kind === 'config') throw errorOf(cls, 'alipay.trade.pay');
        return { state: 'failed', channelTradeNo: tradeNo, code: cls.code, message: cls.message };
    }
  }

  /**
   * trade.cancel: closes an unpaid trade, refunds a paid one, voids an unscanned precreated code.
   * `action` says which (close: nothing was paid; refund: the payment went back); Alipay leaves it
   * out when it found no trade. retry_flag Y asks for the same cancel again.
   */
  async function cancel(s: AlipaySettings, order: Order): Promise<CancelOutcome> {
    const answer = await call(s, 'alipay.trade.cancel', { biz: { out_trade_no: order.outTradeNo } });
    const cls = classifyResult(answer);
    if (cls.type === 'not_found') return { type: 'not_found' };
    if (cls.type === 'unknown') return { type: 'retry', code: cls.code, message: cls.message };
    // ACQ.TRADE_STATUS_ERROR (a finished trade), a cancel past its day, …: the trade stays as it is
    if (cls.type === 'wrong_state' || (cls.type === 'refused' && cls.kind === 'rejected'))
      return { type: 'refused', code: cls.code, message: cls.message };
    if (cls.type !== 'ok') throw errorOf(cls, 'alipay.trade.cancel');
    if (answer.retry_flag === 'Y') return { type: 'retry', code: 'retry_flag', message: 'retry_flag Y' };
    const action = answer.action === 'close' || answer.action === 'refund' ? answer.action : undefined;
    return {
      type: 'done',
      action,
      tradeNo: typeof answer.trade_no === 'string' ? answer.trade_no : undefined,
    };
  }

  async function close(config: ChannelConfig, order: Order): Promise<PaymentStatus> {
    const s = alipaySettings(config);
    const answer = await call(s, 'alipay.trade.close', { biz: { out_trade_no: order.outTradeNo } });
    const cls = classifyResult(answer);
    if (cls.type === 'ok')
      return {
        state: 'closed',
        channelTradeNo: typeof answer.trade_no === 'string' ? answer.trade_no : undefined,
      };
    if (cls.type === 'wrong_state') return query(config, order, s); // paid (or already closed): report it
    if (cls.type !== 'not_found') throw errorOf(cls, 'alipay.trade.close');
    // No trade yet: a precreated code nobody scanned (or a wap link nobody opened). trade.close
    // cannot touch it, trade.cancel voids the code so no one can pay it after we closed.
    const voided = await cancel(s, order);
    if (voided.type === 'not_found') return { state: 'not_found' };
    if (voided.type !== 'done') {
      if (voided.type === 'refused') return query(config, order, s);
      throw new ChannelError('system_error', `alipay trade.cancel: ${voided.message}`, voided.code);
    }
    return { state: 'closed', code: voided.action === 'refund' ? 'REVERSED' : 'CANCELLED' };
  }

  async function reverse(config: ChannelConfig, order: ReverseRequest): Promise<ReverseResult> {
    const result = await cancel(alipaySettings(config), order);
    switch (result.type) {
      case 'not_found': // no trade: nothing was charged, and nothing can be paid under this number now
        return { state: 'reversed', action: 'close', code: 'ACQ.TRADE_NOT_EXIST' };
      case 'retry':
        return { state: 'pending', code: result.code, message: result.message };
      case 'refused':
        return { state: 'refused', code: result.code, message: result.message };
      case 'done':
        return { state: 'reversed', action: result.action, channelReverseNo: result.tradeNo };
    }
  }

  const payerAuth: PayerAuth = {
    authorizeUrl(config, redirectUri, state) {
      const s = alipaySettings(config);
      const q = new URLSearchParams({
        app_id: s.appId,
        scope: 'auth_base',
        redirect_uri: redirectUri,
        state,
      });
      return `${s.oauthBase}/oauth2/publicAppAuthorize.htm?${q.toString()}`;
    },
    async payerId(config, code) {
      const s = alipaySettings(config);
      const answer = await call(s, 'alipay.system.oauth.token', {
        fields: { grant_type: 'authorization_code', code },
        asMerchant: false, // user authorisation is to our app itself
      });
      const cls = classifyResult(answer);
      if (cls.type !== 'ok') throw errorOf(cls, 'alipay.system.oauth.token');
      const id = answer.user_id ?? answer.open_id;
      if (typeof id !== 'string' || id === '')
        throw new ChannelError('system_error', 'alipay oauth.token: the answer has no user_id or open_id');
      return id;
    },
  };

  return {
    id: 'alipay',
    payWays: PAY_WAYS,
    payerAuth,
    create,
    payByCode,
    query: (config, order) => query(config, order),
    close,
    reverse,

    parseNotification: async (config, raw) => parseAlipayNotification(alipaySettings(config), raw.body),

    ack(accepted) {
      // Alipay reads only the body: anything but `success` is retried on its schedule
      return { status: 200, contentType: 'text/plain; charset=utf-8', body: accepted ? NOTIFY_ACK : 'fail' };
    },

    ...alipayRefundsAndBills(gw),
    ...alipayBillFiles(gw),
  };
}
