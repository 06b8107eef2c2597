import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { jsonBody } from '../json-body.js';
import { isInvalid, validateOrder } from './order-input.js';
import type { WechatSimulator } from './simulator.js';
import type { Trade } from './trade-store.js';
import { transactionView } from './views.js';

/** APIv3 partner orders: JSAPI and Native placement, query by out_trade_no or transaction_id, close. */

const BASE = '/wechatpay/v3/pay/partner/transactions';

type Params = { out_trade_no?: string; transaction_id?: string };

export function registerV3OrderRoutes(app: FastifyInstance, sim: WechatSimulator): void {
  const place = (tradeType: 'JSAPI' | 'NATIVE') => async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = sim.authenticate(request, reply);
    if (!auth) return reply;
    const operation = tradeType === 'JSAPI' ? 'jsapi' : 'native';
    if (await sim.fault(operation, request, reply, () => sim.error(reply, 500, 'SYSTEM_ERROR', '系统错误')))
      return reply;
    const body = jsonBody(request.body);
    if (!body) return sim.error(reply, 400, 'PARAM_ERROR', '请求体不是合法的JSON对象');
    const input = validateOrder(body, tradeType === 'JSAPI');
    if (isInvalid(input)) return sim.paramError(reply, input.field, input.issue, input.value);
    if (input.sp_mchid !== auth.mchid)
      return sim.error(reply, 400, 'PARAM_ERROR', 'http header中的mchid与post payload中的mchid不匹配');
    if (input.sp_appid !== sim.keys.sp_appid)
      return sim.error(reply, 400, 'APPID_MCHID_NOT_MATCH', 'sp_appid和sp_mchid不匹配');
    const fingerprint = JSON.stringify([
      tradeType,
      input.description,
      input.total,
      input.notify_url,
      input.payer,
      input.attach ?? '',
      input.sub_appid ?? '',
    ]);
    const existing = sim.store.find(input.sub_mchid, input.out_trade_no);
    if (existing) {
      if (existing.state === 'SUCCESS' || existing.state === 'REFUND')
        return sim.error(reply, 400, 'ORDER_PAID', '该订单已支付');
      if (existing.state === 'CLOSED' || existing.state === 'REVOKED')
        return sim.error(reply, 400, 'ORDER_CLOSED', '订单已关闭');
      if (existing.fingerprint !== fingerprint)
        return sim.error(reply, 400, 'INVALID_REQUEST', '201 商户订单号重复');
      return sim.sendSigned(reply, 200, answer(existing)); // an idempotent retry gets the same prepay_id / code_url
    }
    const trade = sim.store.create({
      spMchid: input.sp_mchid,
      spAppid: input.sp_appid,
      subMchid: input.sub_mchid,
      ...(input.sub_appid ? { subAppid: input.sub_appid } : {}),
      outTradeNo: input.out_trade_no,
      tradeType,
      state: 'NOTPAY',
      description: input.description,
      ...(input.attach !== undefined ? { attach: input.attach } : {}),
      notifyUrl: input.notify_url,
      total: input.total,
      payer: input.payer,
      ...(input.device_id ? { deviceInfo: input.device_id } : {}),
      ...(input.time_expire ? { expiresAt: input.time_expire } : {}),
      fingerprint,
    });
    return sim.sendSigned(reply, 200, answer(trade));
  };
  app.post(`${BASE}/jsapi`, place('JSAPI'));
  app.post(`${BASE}/native`, place('NATIVE'));

  const query = async (
    request: FastifyRequest<{ Params: Params; Querystring: Record<string, string | undefined> }>,
    reply: FastifyReply,
  ) => {
    const auth = sim.authenticate(request, reply);
    if (!auth) return reply;
    if (await sim.fault('query', request, reply, () => sim.error(reply, 500, 'SYSTEM_ERROR', '系统错误')))
      return reply;
    const { sp_mchid, sub_mchid } = request.query;
    if (!sp_mchid)
      return sim.error(reply, 400, 'PARAM_ERROR', '缺少参数sp_mchid', {
        field: 'sp_mchid',
        location: 'query',
        issue: '字段必填',
      });
    if (!sub_mchid)
      return sim.error(reply, 400, 'PARAM_ERROR', '缺少参数sub_mchid', {
        field: 'sub_mchid',
        location: 'query',
        issue: '字段必填',
      });
    if (sp_mchid !== auth.mchid)
      return sim.error(reply, 400, 'PARAM_ERROR', 'http header中的mchid与query中的sp_mchid不匹配');
    const { out_trade_no, transaction_id } = request.params;
    const trade =
      out_trade_no !== undefined
        ? sim.store.find(sub_mchid, out_trade_no)
        : sim.store.findByTransactionId(transaction_id ?? '');
    if (
      !trade ||
      trade.subMchid !== sub_mchid ||
      (transaction_id !== undefined && !trade.successAt && trade.tradeType !== 'MICROPAY')
    ) {
      return sim.error(reply, 404, 'ORDER_NOT_EXIST', '订单不存在');
    }
    sim.store.settleDue(trade);
    return sim.sendSigned(reply, 200, transactionView(trade));
  };
  app.get(`${BASE}/out-trade-no/:out_trade_no`, query);
  app.get(`${BASE}/id/:transaction_id`, query);

  app.post<{ Params: { out_trade_no: string } }>(
    `${BASE}/out-trade-no/:out_trade_no/close`,
    async (request, reply) => {
      const auth = sim.authenticate(request, reply);
      if (!auth) return reply;
      if (await sim.fault('close', request, reply, () => sim.error(reply, 500, 'SYSTEM_ERROR', '系统错误')))
        return reply;
      const body = jsonBody(request.body);
      if (!body) return sim.error(reply, 400, 'PARAM_ERROR', '请求体不是合法的JSON对象');
      if (typeof body.sp_mchid !== 'string')
        return sim.paramError(reply, 'sp_mchid', '字段必填', body.sp_mchid);
      if (typeof body.sub_mchid !== 'string')
        return sim.paramError(reply, 'sub_mchid', '字段必填', body.sub_mchid);
      if (body.sp_mchid !== auth.mchid)
        return sim.error(reply, 400, 'PARAM_ERROR', 'http header中的mchid与post payload中的mchid不匹配');
      const trade = sim.store.find(body.sub_mchid, request.params.out_trade_no);
      if (!trade) return sim.error(reply, 404, 'ORDER_NOT_EXIST', '订单不存在');
      sim.store.settleDue(trade);
      if (trade.state === 'SUCCESS' || trade.state === 'REFUND')
        return sim.error(reply, 400, 'ORDER_PAID', '订单已支付');
      if (trade.state === 'NOTPAY' || trade.state === 'USERPAYING' || trade.state === 'PAYERROR') {
        trade.state = 'CLOSED';
        trade.payableAtMs = undefined;
      }
      return sim.sendSigned(reply, 204); // closing a closed order is fine too
    },
  );
}

function answer(trade: Trade) {
  return trade.tradeType === 'JSAPI' ? { prepay_id: trade.prepayId } : { code_url: trade.codeUrl };
}
