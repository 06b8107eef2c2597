import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  decodeV2Xml,
  encodeV2Xml,
  v2Sign,
  v2SignTypeOf,
  v2Verify,
  type V2Params,
  type V2SignType,
} from '../../channels/wechatpay/protocol/v2-codec.js';
import { nonceStr } from '../../channels/wechatpay/protocol/v3-signing.js';
import { tradeStateDesc } from '../../channels/wechatpay/status.js';
import type { WechatSimulator } from './simulator.js';
import type { Trade } from './trade-store.js';

/**
 * APIv2 付款码: micropay, orderquery, reverse. XML in and out, signed with the APIv2 key (the answer
 * uses the request's sign type). return_code FAIL is a transport/sign problem; business outcomes are
 * result_code + err_code.
 */

/** after how long a 'password' customer has typed the PIN (channel time) */
export const PASSWORD_ENTRY_MS = 10_000;
/** reverse is allowed this long after the payment attempt (channel time) */
export const REVERSE_AFTER_MS = 15_000;

const MICROPAY_REQUIRED = [
  'appid',
  'mch_id',
  'sub_mch_id',
  'nonce_str',
  'sign',
  'body',
  'out_trade_no',
  'total_fee',
  'spbill_create_ip',
  'auth_code',
];

function timeEnd(at: Date): string {
  return new Date(at.getTime() + 8 * 3600 * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

type Verified = { params: V2Params; signType: V2SignType };

export function registerV2Routes(app: FastifyInstance, sim: WechatSimulator): void {
  const key = () => sim.keys.apiv2_key;

  const send = (
    reply: FastifyReply,
    fields: Record<string, string | number | undefined>,
    signType: V2SignType | undefined,
  ) => {
    const out: Record<string, string | number | undefined> = { ...fields };
    if (signType) {
      out.nonce_str = nonceStr();
      out.sign = v2Sign(out, key(), signType);
    }
    return reply.code(200).type('text/xml; charset=utf-8').send(encodeV2Xml(out));
  };
  const fail = (reply: FastifyReply, msg: string) =>
    send(reply, { return_code: 'FAIL', return_msg: msg }, undefined);

  /** XML, merchant and signature checks shared by every v2 call; answers FAIL itself */
  const verify = (request: FastifyRequest, reply: FastifyReply): Verified | undefined => {
    const params = decodeV2Xml(typeof request.body === 'string' ? request.body : '');
    if (!params) return void fail(reply, 'XML格式错误');
    const signType = v2SignTypeOf(params);
    if (!signType) return void fail(reply, 'sign_type参数错误');
    if (!params.mch_id || params.mch_id !== sim.keys.sp_mchid) return void fail(reply, 'mch_id参数格式错误');
    if (!params.nonce_str) return void fail(reply, '缺少参数nonce_str');
    if (!v2Verify(params, key(), signType)) return void fail(reply, '签名错误');
    return { params, signType };
  };

  const base = (p: V2Params) => ({
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: p.appid,
    mch_id: p.mch_id,
    sub_mch_id: p.sub_mch_id,
    sub_appid: p.sub_appid,
  });
  const bizFail = (reply: FastifyReply, v: Verified, errCode: string, des: string) =>
    send(reply, { ...base(v.params), result_code: 'FAIL', err_code: errCode, err_code_des: des }, v.signType);
  const paidFields = (t: Trade) => ({
    result_code: 'SUCCESS',
    openid: t.payer.sp_openid,
    is_subscribe: 'N',
    trade_type: 'MICROPAY',
    bank_type: 'OTHERS',
    fee_type: 'CNY',
    total_fee: t.total,
    cash_fee_type: 'CNY',
    cash_fee: t.total,
    transaction_id: t.transactionId,
    out_trade_no: t.outTradeNo,
    attach: t.attach,
    device_info: t.deviceInfo,
    time_end: t.successAt ? timeEnd(t.successAt) : undefined,
  });
  const systemError = (reply: FastifyReply, v: Verified) => () =>
    void bizFail(reply, v, 'SYSTEMERROR', '系统超时，请立即调用被扫订单结果查询API，查询当前订单状态');
  /** the answer a micropay gets for a trade in its current state */
  const micropayAnswer = (reply: FastifyReply, v: Verified, t: Trade) => {
    if (t.state === 'SUCCESS' || t.state === 'REFUND')
      return send(reply, { ...base(v.params), ...paidFields(t) }, v.signType);
    if (t.state === 'USERPAYING') return bizFail(reply, v, 'USERPAYING', '需要用户输入支付密码');
    if (t.state === 'PAYERROR') return bizFail(reply, v, 'NOTENOUGH', '余额不足');
    return bizFail(reply, v, 'ORDERCLOSED', '订单已关闭');
  };

  app.post('/wechatpay/pay/micropay', async (request, reply) => {
    const v = verify(request, reply);
    if (!v) return reply;
    if (await sim.fault('micropay', request, reply, systemError(reply, v))) return reply;
    const p = v.params;
    const missing = MICROPAY_REQUIRED.find((k) => !p[k]);
    if (missing) return bizFail(reply, v, 'PARAM_ERROR', `缺少参数${missing}`);
    if (p.appid !== sim.keys.sp_appid) return bizFail(reply, v, 'APPID_NOT_EXIST', 'APPID不存在');
    if (!/^[1-9]\d{0,9}$/.test(p.total_fee!))
      return bizFail(reply, v, 'PARAM_ERROR', 'total_fee必须为正整数，单位为分');
    if (!/^[0-9A-Za-z_\-|*@]{1,32}$/.test(p.out_trade_no!))
      return bizFail(reply, v, 'PARAM_ERROR', 'out_trade_no参数格式错误');
    const existing = sim.store.find(p.sub_mch_id!, p.out_trade_no!);
    if (existing) {
      sim.store.settleDue(existing);
      // a retry of the same payment (same code, amount) reports its current state; anything else is a reused number
      if (existing.authCode === p.auth_code && existing.total === Number(p.total_fee))
        return micropayAnswer(reply, v, existing);
      if (existing.state === 'SUCCESS' || existing.state === 'REFUND')
        return bizFail(reply, v, 'ORDERPAID', '订单已支付');
      return bizFail(reply, v, 'OUT_TRADE_NO_USED', '商户订单号重复');
    }
    const code = /^1[0-5]\d{16}$/.test(p.auth_code!) ? sim.ctx.paycodes.lookup(p.auth_code!) : undefined;
    if (!code || code.wallet !== 'wechat')
      return bizFail(
        reply,
        v,
        'AUTH_CODE_INVALID',
        '请扫描微信支付授权码(以10/11/12/13/14/15开头的18位纯数字)',
      );
    if (code.used) return bizFail(reply, v, 'AUTHCODEEXPIRE', '二维码已过期，请用户在微信上刷新后再试');
    sim.ctx.paycodes.markUsed(p.auth_code!);
    const trade = sim.store.create({
      spMchid: p.mch_id!,
      spAppid: p.appid!,
      subMchid: p.sub_mch_id!,
      ...(p.sub_appid ? { subAppid: p.sub_appid } : {}),
      outTradeNo: p.out_trade_no!,
      tradeType: 'MICROPAY',
      state: 'USERPAYING',
      description: p.body!,
      ...(p.attach ? { attach: p.attach } : {}),
      ...(p.device_info ? { deviceInfo: p.device_info } : {}),
      total: Number(p.total_fee),
      payer: {},
      fingerprint: '',
      authCode: p.auth_code!,
    });
    const openid = `o${p.auth_code!.slice(-12)}sandboxpayer`; // one stable customer per code
    switch (code.scenario) {
      case 'success':
        sim.store.markPaid(trade, { sp_openid: openid });
        break;
      case 'password':
        trade.payer = { sp_openid: openid };
        trade.payableAtMs = sim.ctx.scheduler.dueIn(PASSWORD_ENTRY_MS);
        break;
      case 'timeout':
        trade.payer = { sp_openid: openid }; // USERPAYING until reversed or closed
        break;
      case 'insufficient_funds':
        trade.state = 'PAYERROR';
        break;
    }
    return micropayAnswer(reply, v, trade);
  });

  const lookup = (p: V2Params) =>
    p.transaction_id
      ? sim.store.findByTransactionId(p.transaction_id)
      : p.out_trade_no
        ? sim.store.find(p.sub_mch_id ?? '', p.out_trade_no)
        : undefined;

  app.post('/wechatpay/pay/orderquery', async (request, reply) => {
    const v = verify(request, reply);
    if (!v) return reply;
    if (await sim.fault('orderquery', request, reply, systemError(reply, v))) return reply;
    if (!v.params.transaction_id && !v.params.out_trade_no)
      return bizFail(reply, v, 'PARAM_ERROR', 'transaction_id和out_trade_no至少填一个');
    const t = lookup(v.params);
    if (!t || t.subMchid !== v.params.sub_mch_id)
      return bizFail(reply, v, 'ORDERNOTEXIST', '此交易订单号不存在');
    sim.store.settleDue(t);
    const paid = t.successAt !== undefined;
    return send(
      reply,
      {
        ...base(v.params),
        ...(paid
          ? paidFields(t)
          : {
              result_code: 'SUCCESS',
              out_trade_no: t.outTradeNo,
              total_fee: t.total,
              transaction_id: t.transactionId,
            }),
        trade_state: t.state,
        trade_state_desc: tradeStateDesc(t.state),
      },
      v.signType,
    );
  });

  app.post('/wechatpay/secapi/pay/reverse', async (request, reply) => {
    const v = verify(request, reply);
    if (!v) return reply;
    if (await sim.fault('reverse', request, reply, systemError(reply, v))) return reply;
    const t = lookup(v.params);
    if (!t || t.subMchid !== v.params.sub_mch_id)
      return bizFail(reply, v, 'ORDERNOTEXIST', '此交易订单号不存在');
    if (t.tradeType !== 'MICROPAY') return bizFail(reply, v, 'TRADE_ERROR', '非付款码订单不能撤销');
    if (sim.ctx.clock.nowMs() - t.createdAt.getTime() < REVERSE_AFTER_MS / sim.ctx.scheduler.timeScale) {
      return bizFail(reply, v, 'SYSTEMERROR', '请在支付发起15秒后再调用撤销'); // SYSTEMERROR: the caller retries the reverse
    }
    sim.store.settleDue(t);
    if (t.state !== 'REVOKED') {
      if (t.successAt) t.refunded = t.total; // a paid trade is refunded by the reverse
      t.state = 'REVOKED';
      t.payableAtMs = undefined;
    }
    return send(reply, { ...base(v.params), result_code: 'SUCCESS', recall: 'N' }, v.signType);
  });
}
