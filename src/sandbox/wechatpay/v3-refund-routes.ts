import type { FastifyInstance } from 'fastify';
import { jsonBody } from '../json-body.js';
import { notifyRefund } from './notify.js';
import type { WechatSimulator } from './simulator.js';
import type { Refund } from './trade-store.js';
import { refundView } from './views.js';

/**
 * APIv3 domestic refunds: apply (PROCESSING, then SUCCESS with a REFUND.SUCCESS notification, or
 * ABNORMAL with REFUND.ABNORMAL under the `abnormal` fault) and query.
 */

/** how long a refund stays PROCESSING, in channel time (real refunds to 零钱 take seconds) */
export const REFUND_SETTLE_MS = 5_000;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

/** PROCESSING ends after REFUND_SETTLE_MS of channel time, notified as REFUND.SUCCESS / REFUND.ABNORMAL. */
export function settleRefundLater(
  sim: WechatSimulator,
  refund: Refund,
  outcome: 'SUCCESS' | 'ABNORMAL',
): void {
  sim.later(REFUND_SETTLE_MS, () => {
    sim.store.completeRefund(refund, outcome);
    notifyRefund(sim, refund);
  });
}

export function registerV3RefundRoutes(app: FastifyInstance, sim: WechatSimulator): void {
  app.post('/wechatpay/v3/refund/domestic/refunds', async (request, reply) => {
    const auth = sim.authenticate(request, reply);
    if (!auth) return reply;
    if (await sim.fault('refund', request, reply, () => sim.error(reply, 500, 'SYSTEM_ERROR', '系统超时')))
      return reply;
    const b = jsonBody(request.body);
    if (!b) return sim.error(reply, 400, 'PARAM_ERROR', '请求体不是合法的JSON对象');
    if (typeof b.sub_mchid !== 'string' || !/^\d+$/.test(b.sub_mchid))
      return sim.paramError(reply, 'sub_mchid', '字段必填，为数字商户号', b.sub_mchid);
    if (typeof b.out_refund_no !== 'string' || !OUT_REFUND_NO.test(b.out_refund_no)) {
      return sim.paramError(
        reply,
        'out_refund_no',
        '1-64个字符，只能是数字、大小写字母_-|*@',
        b.out_refund_no,
      );
    }
    if (typeof b.transaction_id !== 'string' && typeof b.out_trade_no !== 'string') {
      return sim.paramError(reply, 'transaction_id', 'transaction_id和out_trade_no必须二选一', null);
    }
    if (
      b.notify_url !== undefined &&
      (typeof b.notify_url !== 'string' || !/^https?:\/\/[^\s?#]+$/.test(b.notify_url))
    ) {
      return sim.paramError(reply, 'notify_url', '必须为合法的URL，不能携带参数', b.notify_url);
    }
    const amount = b.amount as Record<string, unknown> | undefined;
    if (!amount || typeof amount !== 'object') return sim.paramError(reply, 'amount', '字段必填', b.amount);
    for (const k of ['refund', 'total'] as const) {
      const v = amount[k];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
        return sim.paramError(reply, `amount/${k}`, '必须为正整数，单位为分', v);
    }
    if (amount.currency !== 'CNY')
      return sim.paramError(reply, 'amount/currency', '字段必填，境内商户仅支持CNY', amount.currency);
    const refundFen = amount.refund as number;
    const trade =
      typeof b.transaction_id === 'string'
        ? sim.store.findByTransactionId(b.transaction_id)
        : sim.store.find(b.sub_mchid, b.out_trade_no as string);
    if (!trade || trade.subMchid !== b.sub_mchid)
      return sim.error(reply, 404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    sim.store.settleDue(trade);
    if (trade.state !== 'SUCCESS' && trade.state !== 'REFUND')
      return sim.error(reply, 400, 'INVALID_REQUEST', '订单未支付成功，不能发起退款');
    if (amount.total !== trade.total)
      return sim.error(reply, 400, 'INVALID_REQUEST', '订单金额与原订单金额不一致');
    const fingerprint = JSON.stringify([trade.transactionId, refundFen, b.reason ?? '', b.notify_url ?? '']);
    const existing = sim.store.findRefund(b.sub_mchid, b.out_refund_no);
    if (existing) {
      if (existing.fingerprint !== fingerprint)
        return sim.error(reply, 400, 'INVALID_REQUEST', '退款单号重复，且请求参数与原请求不一致');
      return sim.sendSigned(reply, 200, refundView(existing)); // retry with the same out_refund_no
    }
    if (refundFen > trade.total - trade.refunded)
      return sim.error(reply, 400, 'INVALID_REQUEST', '申请退款金额超过订单剩余可退金额');
    const refund = sim.store.addRefund(trade, {
      outRefundNo: b.out_refund_no,
      ...(typeof b.reason === 'string' ? { reason: b.reason } : {}),
      ...(typeof b.notify_url === 'string' ? { notifyUrl: b.notify_url } : {}),
      refund: refundFen,
      fingerprint,
    });
    // the `abnormal` fault: the customer's card cannot take the money (退款异常)
    const outcome = sim.ctx.faults.take('wechatpay', 'refund', ['abnormal']) ? 'ABNORMAL' : 'SUCCESS';
    settleRefundLater(sim, refund, outcome);
    return sim.sendSigned(reply, 200, refundView(refund));
  });

  app.get<{ Params: { out_refund_no: string }; Querystring: Record<string, string | undefined> }>(
    '/wechatpay/v3/refund/domestic/refunds/:out_refund_no',
    async (request, reply) => {
      const auth = sim.authenticate(request, reply);
      if (!auth) return reply;
      if (
        await sim.fault('refund_query', request, reply, () =>
          sim.error(reply, 500, 'SYSTEM_ERROR', '系统超时'),
        )
      )
        return reply;
      const subMchid = request.query.sub_mchid;
      if (!subMchid)
        return sim.error(reply, 400, 'PARAM_ERROR', '缺少参数sub_mchid', {
          field: 'sub_mchid',
          location: 'query',
          issue: '字段必填',
        });
      const refund = sim.store.findRefund(subMchid, request.params.out_refund_no);
      if (!refund) return sim.error(reply, 404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      return sim.sendSigned(reply, 200, refundView(refund));
    },
  );
}
