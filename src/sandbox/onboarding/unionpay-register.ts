import { X509Certificate } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AcpFormatError, decodeForm, type AcpFields } from '../../channels/unionpay/protocol/form.js';
import {
  REGISTER_FIELDS,
  REGISTER_QUERY_TXN_TYPE,
  REGISTER_TXN_TYPE,
  UNIONPAY_REGISTER_PATHS,
} from '../../channels/unionpay/onboarding.js';
import type { KnownRespCode } from '../../channels/unionpay/status.js';
import { verifyAcpSignature } from '../../channels/unionpay/protocol/signature.js';
import type { SandboxContext } from '../context.js';
import { rawSafe, sendAcpAnswer } from '../unionpay/messages.js';
import { onboardingStoreFor } from './store.js';

/**
 * UnionPay merchant registration (商户入网) for an acquirer-side service provider. UnionPay's real
 * registration interface is not public: this is our ACP-style rendering of it, signed like every
 * ACP 5.1.0 message. `merRegister.do` (txnType A1) files the KYC → registerId;
 * `merRegisterQuery.do` (txnType A2) answers registerStatus auditing | approved (+ newMerId) |
 * rejected (+ rejectReason). The signing certificate (certId) is what identifies the acquirer:
 * merId is optional here, since a provider's configuration need not carry one.
 */

export type RegisterCheck =
  { ok: true; fields: AcpFields } | { ok: false; code: KnownRespCode; reason: string; fields: AcpFields };

const ENVELOPE = ['version', 'encoding', 'signMethod', 'certId', 'signature', 'txnType', 'accessType'];

/** Pure: the format rules of a registration's KYC fields; the first problem, or undefined. */
export function registerFieldProblem(f: AcpFields): string | undefined {
  if (!/^[0-9A-Za-z]{8,40}$/.test(f.orderId ?? '')) return 'orderId must be 8–40 letters or digits';
  if (f.merId !== undefined && !/^[0-9A-Za-z]{15}$/.test(f.merId))
    return 'merId must be 15 letters or digits';
  if (!/^\d{4}$/.test(f.mcc ?? '')) return 'mcc must be 4 digits';
  if (!/^1\d{10}$/.test(f.contactPhone ?? '')) return 'contactPhone must be a mainland mobile number';
  if (!/^[0-9A-Z]{18}$/.test(f.licenseNo ?? '')) return 'licenseNo must be an 18-character credit code';
  if (!/^\d{17}[\dX]$/.test(f.legalIdNo ?? '')) return 'legalIdNo must be an 18-character id number';
  if (!/^\d{8,32}$/.test(f.settleAcctNo ?? '')) return 'settleAcctNo must be 8–32 digits';
  return undefined;
}

/** Parse, envelope, signature with the acquirer's certificate, then (registration only) the KYC. */
export function checkRegisterRequest(
  body: unknown,
  txnType: string,
  required: readonly string[],
  keys: SandboxContext['keys']['unionpay'],
): RegisterCheck {
  let fields: AcpFields;
  try {
    fields = decodeForm(typeof body === 'string' ? body : '');
  } catch (error) {
    const reason = error instanceof AcpFormatError ? error.message : 'unreadable form';
    return { ok: false, code: '10', reason, fields: {} };
  }
  if (fields.txnType !== txnType) return { ok: false, code: '10', reason: 'txnType not served here', fields };
  const missing = [...ENVELOPE, ...required].find((k) => !fields[k]);
  if (missing) return { ok: false, code: '13', reason: `${missing} is missing`, fields };
  if (fields.version !== '5.1.0' || fields.encoding!.toUpperCase() !== 'UTF-8' || fields.signMethod !== '01')
    return { ok: false, code: '10', reason: 'only 5.1.0, UTF-8, signMethod 01 are served', fields };
  if (fields.certId !== keys.cert_id || !verifyAcpSignature(fields, new X509Certificate(keys.sign_cert_pem)))
    return {
      ok: false,
      code: '11',
      reason: 'signature does not verify with the certificate of certId',
      fields,
    };
  if (fields.accessType !== '1')
    return { ok: false, code: '32', reason: 'registration is for acquirers (accessType 1)', fields };
  const unsafe = Object.keys(fields).find((k) => !rawSafe(fields[k]!));
  if (unsafe) return { ok: false, code: '10', reason: `${unsafe} holds '&' outside {…}`, fields };
  return { ok: true, fields };
}

/** the raw answer format cannot carry a bare '&' (see rawSafe) */
const answerSafe = (text: string) => text.replaceAll('&', '＆');

export function registerUnionpayRegisterRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const store = onboardingStoreFor(ctx);
  const refuse = (reply: FastifyReply, fields: AcpFields, code: KnownRespCode, reason: string) => {
    ctx.logger.debug({ reason }, 'unionpay sandbox refused a registration request');
    return sendAcpAnswer(ctx, reply, fields, code);
  };

  app.post(`/unionpay/${UNIONPAY_REGISTER_PATHS.register}`, async (request, reply) => {
    const checked = checkRegisterRequest(request.body, REGISTER_TXN_TYPE, REGISTER_FIELDS, ctx.keys.unionpay);
    if (!checked.ok) return refuse(reply, checked.fields, checked.code, checked.reason);
    const problem = registerFieldProblem(checked.fields);
    if (problem) return refuse(reply, checked.fields, '10', problem);
    const f = checked.fields;
    const filed = store.submit('unionpay', f.orderId!, f.merName!);
    return sendAcpAnswer(ctx, reply, f, '00', { registerId: filed.id });
  });

  app.post(`/unionpay/${UNIONPAY_REGISTER_PATHS.query}`, async (request, reply) => {
    const checked = checkRegisterRequest(
      request.body,
      REGISTER_QUERY_TXN_TYPE,
      ['registerId'],
      ctx.keys.unionpay,
    );
    if (!checked.ok) return refuse(reply, checked.fields, checked.code, checked.reason);
    const registerId = checked.fields.registerId!;
    const found = /^[0-9A-Za-z]{1,64}$/.test(registerId) ? store.find('unionpay', registerId) : undefined;
    if (!found) return sendAcpAnswer(ctx, reply, checked.fields, '34', { registerId });
    const { app: filed, state } = found;
    return sendAcpAnswer(ctx, reply, checked.fields, '00', {
      registerId: filed.id,
      orderId: filed.externalId,
      registerStatus: state,
      ...(state === 'approved' ? { newMerId: filed.subMerchantId! } : {}),
      ...(state === 'rejected' ? { rejectReason: answerSafe(filed.rejectedReason ?? '') } : {}),
    });
  });
}
