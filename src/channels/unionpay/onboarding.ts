import { createHash, createPrivateKey } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import {
  OnboardingRefused,
  type ChannelOnboarding,
  type ChannelOnboardingStatus,
  type OnboardingSubmission,
} from '../onboarding-types.js';
import { ChannelError } from '../channel.js';
import { AcpClient, type AcpAnswer } from './client.js';
import { unionpayTrust } from './config.js';
import type { AcpFields } from './protocol/form.js';
import type { AcpTrust } from './protocol/signer-cert.js';
import { ACP_VERSION } from './protocol/requests.js';
import { signAcpMessage } from './protocol/signature.js';

/**
 * UnionPay merchant registration (商户入网) for an acquirer-side service provider. UnionPay does
 * not publish its registration interface, so this is an ACP 5.1.0-style rendering of it (the
 * sandbox serves the same): a signed form to `gateway/api/merRegister.do` with txnType A1 files
 * the KYC → registerId; `gateway/api/merRegisterQuery.do` with txnType A2 answers registerStatus
 * auditing | approved (+ newMerId, the merchant's 15-character merId) | rejected (+ rejectReason).
 * A1/A2 are our choice: ACP's public txnTypes are all two digits, letters keep clear of them.
 */

export const UNIONPAY_REGISTER_PATHS = {
  register: 'gateway/api/merRegister.do',
  query: 'gateway/api/merRegisterQuery.do',
} as const;
export const REGISTER_TXN_TYPE = 'A1';
export const REGISTER_QUERY_TXN_TYPE = 'A2';
/** the fields a registration must carry beside the ACP envelope */
export const REGISTER_FIELDS = [
  'orderId',
  'merName',
  'merAbbr',
  'licenseNo',
  'legalName',
  'legalIdNo',
  'contactPhone',
  'mcc',
  'settleAcctName',
  'settleAcctNo',
  'settleBank',
] as const;

export interface RegistrationProvider {
  baseUrl: string;
  certId: string;
  signPrivateKeyPem: string;
  /** root + intermediate (acp_root.cer, acp_middle.cer) the answers' signer must chain to */
  trust: AcpTrust;
  /** the acquirer's own merId; absent when the provider's configuration has none */
  merId?: string;
}

/**
 * Pure: ACP orderIds are 8–40 letters and digits, our business codes carry '_'. The mapping is
 * deterministic so a repeated submit is still recognised as the same registration; a code too
 * long after stripping keeps its first 8 characters and a digest of the whole.
 */
export function registerOrderId(businessCode: string): string {
  const plain = businessCode.replace(/[^0-9A-Za-z]/g, '');
  if (plain.length >= 8 && plain.length <= 40) return plain;
  const digest = createHash('sha256').update(businessCode, 'utf8').digest('hex');
  return `${plain.slice(0, 8)}${digest}`.slice(0, 40).padEnd(8, '0');
}

/**
 * Pure: the unsigned registration form. legalIdNo goes as-is here; a real integration encrypts
 * it (and the account number) with UnionPay's encryption certificate, which the sandbox lacks.
 */
export function registerRequestFields(p: RegistrationProvider, s: OnboardingSubmission): AcpFields {
  const k = s.kyc;
  return {
    version: ACP_VERSION,
    encoding: 'UTF-8',
    signMethod: '01',
    certId: p.certId,
    txnType: REGISTER_TXN_TYPE,
    accessType: '1', // acquirer
    ...(p.merId ? { merId: p.merId } : {}),
    orderId: registerOrderId(s.business_code),
    merName: k.legal_name,
    merAbbr: k.short_name,
    licenseNo: k.license_no,
    legalName: k.legal_person_name,
    legalIdNo: k.legal_person_id_no,
    contactPhone: k.contact_phone,
    mcc: k.mcc,
    settleAcctName: k.settlement_account.account_name,
    settleAcctNo: k.settlement_account.account_no,
    settleBank: k.settlement_account.bank_name,
  };
}

/** Pure: a merRegisterQuery answer (already verified) → our status. */
export function registerStatus(answer: AcpFields): ChannelOnboardingStatus {
  if (answer.respCode !== '00')
    throw new ChannelError(
      'system_error',
      `unionpay merRegisterQuery respCode ${answer.respCode ?? '(none)'}`,
    );
  const status = answer.registerStatus;
  if (status === 'approved') {
    if (!/^[0-9A-Z]{15}$/.test(answer.newMerId ?? ''))
      throw new ChannelError('system_error', 'unionpay registration approved without a 15-character merId');
    return { state: 'approved', sub_merchant_id: answer.newMerId! };
  }
  if (status === 'rejected') return { state: 'rejected', reason: answer.rejectReason || '审核未通过' };
  if (status === 'auditing') return { state: 'auditing' };
  throw new ChannelError('system_error', `unionpay registerStatus ${status ?? '(none)'} is unknown`);
}

function need(fields: Record<string, string>, name: string): string {
  const value = fields[name];
  if (!value) throw new ChannelError('config', `unionpay configuration lacks ${name}`);
  return value;
}

/**
 * The provider side of a resolved configuration. A mer_id there is the merchant's own (old) one,
 * so the acquirer's id is `acq_mer_id` when set, else mer_id, else none: the certificate already
 * names the acquirer.
 */
export function registrationProvider(fields: Record<string, string>, now?: Date): RegistrationProvider {
  const baseUrl = need(fields, 'base_url');
  if (!/^https?:\/\/\S+$/.test(baseUrl))
    throw new ChannelError('config', 'unionpay base_url must be an http(s) URL');
  const certId = need(fields, 'cert_id');
  if (!/^\d{1,64}$/.test(certId)) throw new ChannelError('config', 'unionpay cert_id must be decimal digits');
  const signPrivateKeyPem = need(fields, 'sign_private_key');
  try {
    createPrivateKey(signPrivateKeyPem);
  } catch {
    throw new ChannelError('config', 'unionpay sign_private_key cannot be read');
  }
  const trust = unionpayTrust(fields, now);
  const merId = fields.acq_mer_id || fields.mer_id;
  return {
    baseUrl: baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`,
    certId,
    signPrivateKeyPem,
    trust,
    ...(merId ? { merId } : {}),
  };
}

function clientFor(p: RegistrationProvider, timeoutMs: number) {
  return new AcpClient({
    baseUrl: p.baseUrl,
    // only send() is used: the merchant identity is in the fields we sign ourselves
    merchant: { merId: p.merId ?? '', certId: p.certId, signPrivateKeyPem: p.signPrivateKeyPem },
    trust: p.trust,
    timeoutMs,
  });
}

const CONFIG_CODES = new Set(['11', '31', '32']);
const describe = (a: AcpAnswer) => `${a.respCode} ${a.fields.respMsg ?? a.status.message}`;

export function unionpayOnboarding(options: { timeoutMs?: number; clock?: Clock } = {}): ChannelOnboarding {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const now = () => (options.clock ?? systemClock).now();
  return {
    async submit(application, config) {
      const provider = registrationProvider(config.fields, now());
      const form = signAcpMessage(registerRequestFields(provider, application), provider.signPrivateKeyPem);
      const answer = await clientFor(provider, timeoutMs).send(UNIONPAY_REGISTER_PATHS.register, form);
      if (answer.respCode === '00') {
        const id = answer.fields.registerId;
        if (!id) throw new ChannelError('system_error', 'unionpay merRegister answered without a registerId');
        return { channel_application_id: id };
      }
      if (CONFIG_CODES.has(answer.respCode))
        throw new ChannelError('config', `unionpay merRegister: ${describe(answer)}`, answer.respCode);
      // busy or unknown: try again later; any other final failure is UnionPay refusing the content
      if (answer.status.retryable || answer.status.outcome === 'unknown')
        throw new ChannelError('system_error', `unionpay merRegister: ${describe(answer)}`);
      throw new OnboardingRefused(`${answer.fields.respMsg ?? answer.status.message} (${answer.respCode})`);
    },
    async status(registerId, config) {
      const provider = registrationProvider(config.fields, now());
      const form = signAcpMessage(
        {
          version: ACP_VERSION,
          encoding: 'UTF-8',
          signMethod: '01',
          certId: provider.certId,
          txnType: REGISTER_QUERY_TXN_TYPE,
          accessType: '1',
          ...(provider.merId ? { merId: provider.merId } : {}),
          registerId,
        },
        provider.signPrivateKeyPem,
      );
      const answer = await clientFor(provider, timeoutMs).send(UNIONPAY_REGISTER_PATHS.query, form);
      return registerStatus(answer.fields);
    },
  };
}
