import { systemClock, unixSeconds, type Clock } from '../../core/clock.js';
import {
  ChannelError,
  type Channel,
  type ChannelConfig,
  type ChannelOrder,
  type CreateResult,
  type PaymentStatus,
  type PayWay,
  type RefundRequest,
  type RefundStatus,
  type ReverseRequest,
  type ReverseResult,
} from '../channel.js';
import { applyAbnormalRefund } from './abnormal-refund.js';
import { downloadTradeBill } from './bill.js';
import { downloadTradeBillFile, wechatBillIdentity } from './bill-file.js';
import { clientCache, WechatCallError, type WechatClient } from './client.js';
import { parseWechatNotification, wechatAck } from './notify.js';
import { wechatPayerAuth } from './payer.js';
import {
  micropayOutcome,
  paidStatusOfV2,
  paymentStatusOfOrderquery,
  paymentStatusOfTransaction,
  refundStatusOf,
} from './status.js';
import type { WechatpaySettings } from './config.js';
import { beijingTime } from './protocol/notification.js';
import { jsapiPayParams } from './protocol/jsapi.js';
import type { V2Params } from './protocol/v2-codec.js';

/**
 * The `wechatpay` channel: APIv3 partner JSAPI / Native, query, close, refunds and bills; APIv2
 * 付款码 (micropay, orderquery, reverse), all through wechatpay-axios-plugin. Where WeChat lives
 * (the real API or the sandbox) is the merchant's configuration only.
 */

export interface WechatpayChannelOptions {
  /** timestamps of JSAPI paySign and the notification skew check */
  clock?: Clock;
  /** per HTTP call; WeChat suggests 10 s at most for reads */
  timeoutMs?: number;
  /** for the OAuth code exchange (not a Pay API, so not through the plugin) */
  fetch?: typeof fetch;
}

const PAY_WAYS = ['wechat_jsapi', 'wechat_native', 'wechat_micropay'] as const satisfies readonly PayWay[];
const TRANSACTIONS = 'v3/pay/partner/transactions';

/** WeChat counts description in characters (127) and v2 body in bytes (128): cut on a code point */
function cut(text: string, maxChars: number, maxBytes = Infinity): string {
  let out = '';
  let chars = 0;
  for (const ch of text) {
    if (++chars > maxChars || Buffer.byteLength(out + ch) > maxBytes) break;
    out += ch;
  }
  return out || '-';
}

const isCode = (e: unknown, ...codes: string[]) =>
  e instanceof WechatCallError && codes.includes(e.channelCode ?? '');

export function createWechatpayChannel(options: WechatpayChannelOptions = {}): Channel {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clients = clientCache(timeoutMs, clock);
  const client = (config: ChannelConfig): WechatClient => clients.client(config);
  const ids = (s: WechatpaySettings) => ({
    appid: s.spAppid,
    sub_mch_id: s.subMchid,
    ...(s.subAppid ? { sub_appid: s.subAppid } : {}),
  });

  async function v2Query(c: WechatClient, outTradeNo: string): Promise<PaymentStatus> {
    const d = await c.v2('pay/orderquery', { ...ids(c.settings), out_trade_no: outTradeNo });
    if (d.result_code === 'SUCCESS') return paymentStatusOfOrderquery(d);
    if (d.err_code === 'ORDERNOTEXIST')
      return { state: 'not_found', code: d.err_code, message: d.err_code_des };
    throw new ChannelError(
      d.err_code === 'SYSTEMERROR' ? 'system_error' : 'rejected',
      `orderquery: ${d.err_code_des ?? ''}`,
      d.err_code,
    );
  }

  /** v3 first (every trade type); a trade v3 does not know is asked of v2, where 付款码 trades live */
  async function query(
    config: ChannelConfig,
    order: Pick<ChannelOrder, 'outTradeNo'>,
  ): Promise<PaymentStatus> {
    const c = client(config);
    const s = c.settings;
    try {
      const { data } = await c.v3(
        'get',
        `${TRANSACTIONS}/out-trade-no/${encodeURIComponent(order.outTradeNo)}`,
        undefined,
        {
          params: { sp_mchid: s.spMchid, sub_mchid: s.subMchid },
        },
      );
      return paymentStatusOfTransaction(data as Record<string, unknown>);
    } catch (error) {
      if (!isCode(error, 'ORDER_NOT_EXIST')) throw error;
    }
    return v2Query(c, order.outTradeNo);
  }

  function sandboxCheckout(s: WechatpaySettings, prepayId: string, returnUrl: string | undefined): string {
    const page = new URL('../sandbox/wechat/checkout', s.baseUrl); // the sandbox serves /wechatpay/ and /sandbox/ side by side
    page.searchParams.set('prepay_id', prepayId);
    if (returnUrl) page.searchParams.set('return_url', returnUrl);
    return page.toString();
  }

  async function create(config: ChannelConfig, payWay: PayWay, order: ChannelOrder): Promise<CreateResult> {
    if (payWay !== 'wechat_jsapi' && payWay !== 'wechat_native')
      throw new ChannelError(
        'rejected',
        `wechatpay creates wechat_jsapi and wechat_native trades, not ${payWay}`,
      );
    const c = client(config);
    const s = c.settings;
    if (payWay === 'wechat_jsapi' && !order.payerId)
      throw new ChannelError('rejected', 'wechat_jsapi needs the payer openid (payerAuth first)');
    const body = {
      sp_appid: s.spAppid,
      sp_mchid: s.spMchid,
      ...(s.subAppid ? { sub_appid: s.subAppid } : {}),
      sub_mchid: s.subMchid,
      description: cut(order.subject, 127),
      out_trade_no: order.outTradeNo,
      time_expire: beijingTime(order.expiresAt),
      notify_url: order.notifyUrl,
      amount: { total: order.amount, currency: 'CNY' },
      ...(payWay === 'wechat_jsapi'
        ? { payer: s.subAppid ? { sub_openid: order.payerId } : { sp_openid: order.payerId } }
        : {}),
      ...(order.clientIp ? { scene_info: { payer_client_ip: order.clientIp } } : {}),
    };
    const kind = payWay === 'wechat_jsapi' ? 'jsapi' : 'native';
    const { data } = await c.v3('post', `${TRANSACTIONS}/${kind}`, body);
    const answer = (data ?? {}) as { prepay_id?: unknown; code_url?: unknown };
    if (payWay === 'wechat_native') {
      if (typeof answer.code_url !== 'string')
        throw new ChannelError('system_error', 'native order answered without code_url');
      return { action: { type: 'qr_code', code_url: answer.code_url } };
    }
    if (typeof answer.prepay_id !== 'string')
      throw new ChannelError('system_error', 'jsapi order answered without prepay_id');
    // paySign's appId is the appid the openid belongs to
    const params = jsapiPayParams(
      s.subAppid ?? s.spAppid,
      answer.prepay_id,
      s.merchantPrivateKey,
      unixSeconds(clock),
    );
    return {
      action: {
        type: 'wechat_jsapi',
        params: { ...params },
        ...(s.sandbox ? { sandbox_url: sandboxCheckout(s, answer.prepay_id, order.returnUrl) } : {}),
      },
    };
  }

  async function payByCode(
    config: ChannelConfig,
    order: ChannelOrder,
    authCode: string,
  ): Promise<PaymentStatus> {
    if (!/^1[0-5]\d{16}$/.test(authCode))
      return {
        state: 'failed',
        code: 'AUTH_CODE_INVALID',
        message: 'not a WeChat payment code (18 digits from 10–15)',
      };
    const c = client(config);
    const d: V2Params = await c.v2('pay/micropay', {
      ...ids(c.settings),
      body: cut(order.subject, 128, 128),
      out_trade_no: order.outTradeNo,
      total_fee: String(order.amount),
      spbill_create_ip: order.clientIp ?? '127.0.0.1',
      auth_code: authCode,
    });
    if (d.result_code === 'SUCCESS') return paidStatusOfV2(d);
    const errCode = d.err_code ?? 'UNKNOWN';
    const detail = { code: errCode, message: d.err_code_des };
    const outcome = micropayOutcome(errCode);
    switch (outcome) {
      case 'user_paying':
      case 'unknown': // the outcome is open: the caller polls query, then reverses
        return { state: 'user_paying', ...detail };
      case 'failed':
        return { state: 'failed', ...detail };
      case 'closed':
        return { state: 'closed', ...detail };
      case 'paid_elsewhere':
        return query(config, order);
      default:
        throw new ChannelError(outcome, `micropay ${errCode}: ${d.err_code_des ?? ''}`, errCode);
    }
  }

  async function close(
    config: ChannelConfig,
    order: Pick<ChannelOrder, 'outTradeNo'>,
  ): Promise<PaymentStatus> {
    const c = client(config);
    const s = c.settings;
    try {
      await c.v3('post', `${TRANSACTIONS}/out-trade-no/${encodeURIComponent(order.outTradeNo)}/close`, {
        sp_mchid: s.spMchid,
        sub_mchid: s.subMchid,
      });
    } catch (error) {
      if (isCode(error, 'ORDER_PAID', 'ORDER_NOT_EXIST')) return query(config, order);
      throw error;
    }
    try {
      return await query(config, order);
    } catch {
      return { state: 'closed' }; // 204 means closed; the confirming query is only for detail
    }
  }

  async function reverse(config: ChannelConfig, order: ReverseRequest): Promise<ReverseResult> {
    const c = client(config);
    // secapi: the plugin presents merchant_cert as the TLS client certificate when the base is https
    const d = await c.v2(
      'secapi/pay/reverse',
      { ...ids(c.settings), out_trade_no: order.outTradeNo },
      { security: true },
    );
    const detail = { code: d.err_code, message: d.err_code_des };
    // recall=Y: WeChat asks for the same reverse again; N: the order is REVOKED (query says so)
    if (d.result_code === 'SUCCESS')
      return d.recall === 'Y' ? { state: 'pending', code: 'recall' } : { state: 'reversed' };
    if (d.err_code === 'SYSTEMERROR' || d.err_code === 'USERPAYING') return { state: 'pending', ...detail };
    if (d.err_code === 'ORDERNOTEXIST') return { state: 'reversed', action: 'close', ...detail }; // nothing was charged
    // REVERSE_EXPIRE (past the reverse window) and TRADE_ERROR: the order stays as WeChat has it
    if (d.err_code === 'REVERSE_EXPIRE' || d.err_code === 'TRADE_ERROR')
      return { state: 'refused', ...detail };
    throw new ChannelError('rejected', `reverse ${d.err_code ?? ''}: ${d.err_code_des ?? ''}`, d.err_code);
  }

  async function refund(config: ChannelConfig, r: RefundRequest): Promise<RefundStatus> {
    const c = client(config);
    const { data } = await c.v3('post', 'v3/refund/domestic/refunds', {
      sub_mchid: c.settings.subMchid,
      ...(r.channelTradeNo ? { transaction_id: r.channelTradeNo } : { out_trade_no: r.outTradeNo }),
      out_refund_no: r.outRefundNo,
      ...(r.reason ? { reason: cut(r.reason, 80) } : {}),
      notify_url: r.notifyUrl,
      amount: { refund: r.amount, total: r.total, currency: 'CNY' },
    });
    return refundStatusOf(data as Record<string, unknown>);
  }

  async function refundQuery(config: ChannelConfig, r: RefundRequest): Promise<RefundStatus> {
    const c = client(config);
    try {
      const { data } = await c.v3(
        'get',
        `v3/refund/domestic/refunds/${encodeURIComponent(r.outRefundNo)}`,
        undefined,
        {
          params: { sub_mchid: c.settings.subMchid },
        },
      );
      return refundStatusOf(data as Record<string, unknown>);
    } catch (error) {
      if (isCode(error, 'RESOURCE_NOT_EXISTS')) return { state: 'not_found', code: 'RESOURCE_NOT_EXISTS' };
      throw error;
    }
  }

  const channel: Channel = {
    id: 'wechatpay',
    payWays: PAY_WAYS,
    payerAuth: wechatPayerAuth(options.fetch ?? fetch, timeoutMs),
    create,
    payByCode,
    query,
    close,
    reverse,
    refund,
    refundQuery,
    applyAbnormalRefund: async (config, r, target) => applyAbnormalRefund(client(config), r, target),

    parseNotification: async (config, raw) => parseWechatNotification(client(config), raw, clock),
    ack: wechatAck,
    downloadBill: (config, date) => downloadTradeBill(client(config), date),
    billIdentity: (config) => wechatBillIdentity(client(config).settings),
    downloadBillFile: (config, date) => downloadTradeBillFile(client(config), date),
  };
  return channel;
}
