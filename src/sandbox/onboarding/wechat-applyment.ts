import { constants, privateDecrypt } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { jsonBody } from '../json-body.js';
import type { WechatSimulator } from '../wechatpay/simulator.js';
import { onboardingStoreFor, type SandboxApplicationState } from './store.js';

/**
 * WeChat Pay 特约商户进件 for service providers (applyment4sub), as the partner API serves it:
 * POST /v3/applyment4sub/applyment/ files an application (sensitive fields RSA-OAEP encrypted
 * with the platform key named in Wechatpay-Serial) → applyment_id; GET …/applyment_id/{id} tells
 * its applyment_state. Image media ids are not asked for: the sandbox has no upload API.
 */

const SENSITIVE = [
  'contact_info.contact_name',
  'contact_info.mobile_phone',
  'subject_info.identity_info.id_card_info.id_card_name',
  'subject_info.identity_info.id_card_info.id_card_number',
  'bank_account_info.account_name',
  'bank_account_info.account_number',
] as const;
const PLAIN = [
  'business_code',
  'subject_info.subject_type',
  'subject_info.business_license_info.license_number',
  'subject_info.business_license_info.merchant_name',
  'subject_info.business_license_info.legal_person',
  'business_info.merchant_shortname',
  'settlement_info.settlement_id',
  'bank_account_info.bank_account_type',
  'bank_account_info.account_bank',
] as const;

function at(body: Record<string, unknown>, path: string): unknown {
  let value: unknown = body;
  for (const part of path.split('.')) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const STATE: Record<SandboxApplicationState, { state: string; msg: string }> = {
  auditing: { state: 'APPLYMENT_STATE_AUDITING', msg: '审核中' },
  approved: { state: 'APPLYMENT_STATE_FINISHED', msg: '完成' },
  rejected: { state: 'APPLYMENT_STATE_REJECTED', msg: '已驳回' },
};

export function registerApplymentRoutes(app: FastifyInstance, sim: WechatSimulator): void {
  const store = onboardingStoreFor(sim.ctx);

  app.post('/wechatpay/v3/applyment4sub/applyment/', async (request, reply) => {
    if (await sim.fault('applyment', request, reply, () => systemError(sim, reply))) return reply;
    if (!sim.authenticate(request, reply)) return reply;
    const body = jsonBody(request.body);
    if (!body) return sim.error(reply, 400, 'PARAM_ERROR', '请求体不是合法的JSON');
    for (const field of PLAIN) {
      const value = at(body, field);
      if (typeof value !== 'string' || value.trim() === '')
        return sim.paramError(reply, field.replaceAll('.', '/'), '字段必填', value);
    }
    const serial = request.headers['wechatpay-serial'];
    // either platform key id works: the public-key id or the platform certificate serial
    if (serial !== sim.keys.platform_public_key_id && serial !== sim.keys.platform_cert_serial)
      return sim.error(
        reply,
        400,
        'PARAM_ERROR',
        'Http头Wechatpay-Serial缺失或与平台公钥ID不符，敏感字段需用平台公钥加密',
      );
    for (const field of SENSITIVE) {
      const value = at(body, field);
      if (typeof value !== 'string' || decrypt(sim, value) === undefined)
        return sim.paramError(reply, field.replaceAll('.', '/'), '敏感字段必填，且须用平台公钥加密', null);
    }
    const businessCode = String(body.business_code);
    const merchantName = String(at(body, 'subject_info.business_license_info.merchant_name'));
    const filed = store.submit('wechatpay', businessCode, merchantName);
    return sim.sendSigned(reply, 200, { applyment_id: Number(filed.id) });
  });

  app.get(
    '/wechatpay/v3/applyment4sub/applyment/applyment_id/:id',
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      if (await sim.fault('applyment_query', request, reply, () => systemError(sim, reply))) return reply;
      if (!sim.authenticate(request, reply)) return reply;
      const found = /^\d{1,20}$/.test(request.params.id)
        ? store.find('wechatpay', request.params.id)
        : undefined;
      if (!found) return sim.error(reply, 404, 'RESOURCE_NOT_EXISTS', '申请单不存在');
      const { app: filed, state } = found;
      return sim.sendSigned(reply, 200, {
        business_code: filed.externalId,
        applyment_id: Number(filed.id),
        applyment_state: STATE[state].state,
        applyment_state_msg: STATE[state].msg,
        ...(state === 'approved' ? { sub_mchid: filed.subMerchantId } : {}),
        audit_detail:
          state === 'rejected'
            ? [{ field: '', field_name: '', reject_reason: filed.rejectedReason ?? '' }]
            : [],
      });
    },
  );
}

function systemError(sim: WechatSimulator, reply: FastifyReply) {
  sim.error(reply, 500, 'SYSTEM_ERROR', '系统错误');
}

function decrypt(sim: WechatSimulator, base64: string): string | undefined {
  try {
    return privateDecrypt(
      { key: sim.platformPrivateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(base64, 'base64'),
    ).toString('utf8');
  } catch {
    return undefined;
  }
}
