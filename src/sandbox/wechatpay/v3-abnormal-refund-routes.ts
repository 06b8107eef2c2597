import type { FastifyInstance } from 'fastify';
import {
  ABNORMAL_REFUND_BANKS,
  ABNORMAL_REFUND_TYPES,
  BANK_ACCOUNT_PATTERN,
  decryptSensitive,
  isAbnormalRefundBank,
  type AbnormalRefundType,
} from '../../channels/wechatpay/protocol/abnormal-refund.js';
import { jsonBody } from '../json-body.js';
import type { WechatSimulator } from './simulator.js';
import { settleRefundLater } from './v3-refund-routes.js';
import { refundView } from './views.js';

/**
 * 发起异常退款, as the partner API serves it: a signed request for an ABNORMAL refund, naming
 * where the money goes instead. The customer's card number and name arrive RSA-OAEP encrypted
 * with the platform key named in Wechatpay-Serial; the sandbox decrypts them (a field it cannot
 * open is PARAM_ERROR). Accepted: the refund is PROCESSING again, then SUCCESS (or ABNORMAL again
 * under the `abnormal` fault on `apply_abnormal_refund`), with its notification.
 */
export function registerV3AbnormalRefundRoutes(app: FastifyInstance, sim: WechatSimulator): void {
  app.post<{ Params: { refund_id: string } }>(
    '/wechatpay/v3/refund/domestic/refunds/:refund_id/apply-abnormal-refund',
    async (request, reply) => {
      if (!sim.authenticate(request, reply)) return reply;
      const systemError = () => sim.error(reply, 500, 'SYSTEM_ERROR', '系统超时');
      if (await sim.fault('apply_abnormal_refund', request, reply, systemError)) return reply;
      const b = jsonBody(request.body);
      if (!b) return sim.error(reply, 400, 'PARAM_ERROR', '请求体不是合法的JSON对象');
      if (typeof b.sub_mchid !== 'string' || !/^\d+$/.test(b.sub_mchid))
        return sim.paramError(reply, 'sub_mchid', '字段必填，为数字商户号', b.sub_mchid);
      if (typeof b.out_refund_no !== 'string' || b.out_refund_no === '')
        return sim.paramError(reply, 'out_refund_no', '字段必填', b.out_refund_no);
      if (!ABNORMAL_REFUND_TYPES.includes(b.type as AbnormalRefundType))
        return sim.paramError(reply, 'type', '取值只能为USER_BANK_CARD或MERCHANT_BANK_CARD', b.type);
      let receivedAccount = '交易商户银行账户';
      if (b.type === 'USER_BANK_CARD') {
        if (typeof b.bank_type !== 'string' || !isAbnormalRefundBank(b.bank_type))
          return sim.paramError(reply, 'bank_type', '退款至用户时必填，仅支持指定银行的借记卡', b.bank_type);
        const serial = request.headers['wechatpay-serial'];
        if (serial !== sim.keys.platform_public_key_id && serial !== sim.keys.platform_cert_serial)
          return sim.error(
            reply,
            400,
            'PARAM_ERROR',
            'Http头Wechatpay-Serial缺失或与微信支付公钥ID不符，敏感字段需用微信支付公钥加密',
          );
        const open = (field: 'bank_account' | 'real_name') => {
          const value = b[field];
          return typeof value === 'string' ? decryptSensitive(value, sim.platformPrivateKey) : undefined;
        };
        const account = open('bank_account');
        if (account === undefined || !BANK_ACCOUNT_PATTERN.test(account))
          return sim.paramError(reply, 'bank_account', '退款至用户时必填，且须用微信支付公钥加密', null);
        const name = open('real_name');
        if (name === undefined || name.trim() === '')
          return sim.paramError(reply, 'real_name', '退款至用户时必填，且须用微信支付公钥加密', null);
        receivedAccount = `${ABNORMAL_REFUND_BANKS[b.bank_type]}借记卡${account.slice(-4)}`;
      }
      const refund = sim.store.findRefund(b.sub_mchid, b.out_refund_no);
      if (!refund || refund.refundId !== request.params.refund_id)
        return sim.error(reply, 404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      if (refund.status !== 'ABNORMAL')
        return sim.error(reply, 400, 'INVALID_REQUEST', '退款单状态不是退款异常，不能发起异常退款');
      sim.store.redirectAbnormalRefund(refund, receivedAccount);
      const again = sim.ctx.faults.take('wechatpay', 'apply_abnormal_refund', ['abnormal']);
      settleRefundLater(sim, refund, again ? 'ABNORMAL' : 'SUCCESS');
      return sim.sendSigned(reply, 200, refundView(refund));
    },
  );
}
