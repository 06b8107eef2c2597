import { failure, SUCCESS } from '../../channels/alipay/protocol/codes.js';
import { BizInputError, optional, required } from '../alipay/biz.js';
import type { MethodHandler } from '../alipay/trade-methods.js';
import { onboardingStoreFor, type SandboxApplicationState } from './store.js';

/**
 * Alipay 直付通 indirect merchant onboarding for an ISV: `ant.merchant.expand.indirect.zft.create`
 * files a sub-merchant application → order_id; `ant.merchant.expand.indirect.zftorder.query`
 * lists it with status 031 (in review), 99 (done, with smid) or -1 (failed, with reason).
 * Registered in the gateway's method table beside the trade methods.
 */

const STATUS: Record<SandboxApplicationState, string> = { auditing: '031', approved: '99', rejected: '-1' };

const invalid = (what: string) =>
  new BizInputError(failure('40004', 'isv.invalid-parameter', `参数无效:${what}`));

function nonEmptyArray(value: unknown, name: string): Array<Record<string, unknown>> {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => !v || typeof v !== 'object'))
    throw invalid(name);
  return value as Array<Record<string, unknown>>;
}

const create: MethodHandler = (call) => {
  const b = call.biz;
  const externalId = required(b, 'external_id');
  const name = required(b, 'name');
  for (const field of ['alias_name', 'merchant_type', 'mcc', 'cert_no', 'cert_type', 'legal_name'])
    required(b, field);
  required(b, 'legal_cert_no');
  if (!/^\d{4}$/.test(required(b, 'mcc'))) throw invalid('mcc');
  for (const contact of nonEmptyArray(b.contact_infos, 'contact_infos')) {
    required(contact, 'name');
    if (!/^1\d{10}$/.test(required(contact, 'mobile'))) throw invalid('contact_infos.mobile');
  }
  for (const card of nonEmptyArray(b.biz_cards, 'biz_cards')) {
    required(card, 'account_holder_name');
    required(card, 'account_no');
    required(card, 'account_inst_name');
  }
  if (!Array.isArray(b.service) || b.service.length === 0 || b.service.some((s) => typeof s !== 'string'))
    throw invalid('service');
  const filed = onboardingStoreFor(call.ctx).submit('alipay', externalId, name);
  return { result: SUCCESS, fields: { order_id: filed.id } };
};

const query: MethodHandler = (call) => {
  const orderId = optional(call.biz, 'order_id');
  const externalId = optional(call.biz, 'external_id');
  if (!orderId && !externalId)
    throw new BizInputError(failure('40001', 'isv.missing-parameter', '缺少必选参数order_id'));
  const store = onboardingStoreFor(call.ctx);
  const found = orderId ? store.find('alipay', orderId) : store.findByExternalId('alipay', externalId!);
  if (!found) throw new BizInputError(failure('40004', 'ORDER_NOT_EXIST', '申请单不存在'));
  const { app, state } = found;
  return {
    result: SUCCESS,
    fields: {
      orders: [
        {
          order_id: app.id,
          external_id: app.externalId,
          merchant_name: app.merchantName,
          status: STATUS[state],
          apply_time: new Date(app.submittedAtMs).toISOString(),
          ...(state === 'approved' ? { smid: app.subMerchantId } : {}),
          ...(state === 'rejected' ? { reason: app.rejectedReason } : {}),
        },
      ],
    },
  };
};

export const ONBOARDING_METHODS: Readonly<Record<string, MethodHandler>> = {
  'ant.merchant.expand.indirect.zft.create': create,
  'ant.merchant.expand.indirect.zftorder.query': query,
};
