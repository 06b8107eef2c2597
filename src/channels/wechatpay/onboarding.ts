import type { OnboardingKyc as Kyc } from '../onboarding-types.js';
import {
  OnboardingRefused,
  type ChannelOnboarding,
  type ChannelOnboardingStatus,
  type OnboardingSubmission,
} from '../onboarding-types.js';
import { ChannelError, type ChannelConfig } from '../channel.js';
import { encryptSensitive } from './protocol/abnormal-refund.js';
import { WechatCallError, WechatClient } from './client.js';
import { parseWechatpayConfig, type WechatpaySettings } from './config.js';

/**
 * WeChat Pay 特约商户进件 (applyment4sub) for a service provider: the application is signed with
 * the provider's merchant key and its sensitive fields are encrypted with the platform public key,
 * as the partner API demands; the query maps applyment_state to our three states.
 */

/** the applyment is the provider's own call: the merchant has no sub_mchid yet */
const NO_SUB_MCHID_YET = '0';

function settingsFor(fields: Record<string, string>): WechatpaySettings {
  return parseWechatpayConfig({
    channel: 'wechatpay',
    fields: { ...fields, sub_mchid: fields.sub_mchid || NO_SUB_MCHID_YET },
  } as ChannelConfig);
}

/** Pure: the platform key to encrypt with (the first of the keyring) and its id for Wechatpay-Serial. */
export function encryptor(settings: WechatpaySettings): { serial: string; encrypt(text: string): string } {
  const first = [...settings.keyring.entries()][0];
  if (!first) throw new ChannelError('config', 'wechatpay config: no platform public key to encrypt with');
  const [serial, key] = first;
  return {
    serial,
    encrypt: (text) => encryptSensitive(text, key),
  };
}

/** Pure apart from the encryption: KYC fields → the applyment4sub body. */
export function applymentBody(
  submission: OnboardingSubmission,
  encrypt: (text: string) => string,
): Record<string, unknown> {
  const k: Kyc = submission.kyc;
  const account = k.settlement_account;
  return {
    business_code: submission.business_code,
    contact_info: {
      contact_type: 'LEGAL',
      contact_name: encrypt(k.legal_person_name),
      mobile_phone: encrypt(k.contact_phone),
    },
    subject_info: {
      subject_type: 'SUBJECT_TYPE_ENTERPRISE',
      business_license_info: {
        license_number: k.license_no,
        merchant_name: k.legal_name,
        legal_person: k.legal_person_name,
      },
      identity_info: {
        id_holder_type: 'LEGAL',
        id_doc_type: 'IDENTIFICATION_TYPE_IDCARD',
        id_card_info: {
          id_card_name: encrypt(k.legal_person_name),
          id_card_number: encrypt(k.legal_person_id_no),
        },
      },
    },
    business_info: {
      merchant_shortname: k.short_name,
      service_phone: k.contact_phone,
      sales_info: { sales_scenes_type: ['SALES_SCENES_STORE'] },
    },
    // WeChat's settlement rule id is chosen by industry; 716 is the standard rate for enterprises
    settlement_info: { settlement_id: '716', qualification_type: `MCC ${k.mcc}` },
    bank_account_info: {
      bank_account_type:
        account.account_type === 'personal' ? 'BANK_ACCOUNT_TYPE_PERSONAL' : 'BANK_ACCOUNT_TYPE_CORPORATE',
      account_name: encrypt(account.account_name),
      account_bank: account.bank_name,
      account_number: encrypt(account.account_no),
    },
  };
}

const AUDITING_STATES = new Set([
  'APPLYMENT_STATE_EDITTING',
  'APPLYMENT_STATE_AUDITING',
  'APPLYMENT_STATE_TO_BE_CONFIRMED',
  'APPLYMENT_STATE_TO_BE_SIGNED',
  'APPLYMENT_STATE_SIGNING',
]);

/** Pure: an applyment query answer → our status. */
export function applymentStatus(data: unknown): ChannelOnboardingStatus {
  const d = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const state = String(d.applyment_state ?? '');
  if (state === 'APPLYMENT_STATE_FINISHED') {
    if (typeof d.sub_mchid !== 'string' || !/^\d{1,32}$/.test(d.sub_mchid))
      throw new ChannelError('system_error', 'wechatpay applyment finished without a sub_mchid');
    return { state: 'approved', sub_merchant_id: d.sub_mchid };
  }
  if (state === 'APPLYMENT_STATE_REJECTED' || state === 'APPLYMENT_STATE_CANCELED') {
    const details = Array.isArray(d.audit_detail) ? (d.audit_detail as Array<Record<string, unknown>>) : [];
    const reasons = details
      .map((a) => a.reject_reason)
      .filter((r): r is string => typeof r === 'string' && r !== '');
    return {
      state: 'rejected',
      reason: reasons.join('; ') || String(d.applyment_state_msg ?? '') || state,
    };
  }
  if (AUDITING_STATES.has(state)) return { state: 'auditing' };
  throw new ChannelError('system_error', `wechatpay applyment_state ${state || '(none)'} is unknown`);
}

export function wechatpayOnboarding(options: { timeoutMs?: number } = {}): ChannelOnboarding {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return {
    async submit(application, config) {
      const settings = settingsFor(config.fields);
      const { serial, encrypt } = encryptor(settings);
      const client = new WechatClient(settings, timeoutMs);
      try {
        const answer = await client.v3(
          'post',
          'v3/applyment4sub/applyment/',
          applymentBody(application, encrypt),
          {
            headers: { 'Wechatpay-Serial': serial },
          },
        );
        const id = (answer.data as { applyment_id?: unknown } | undefined)?.applyment_id;
        if ((typeof id !== 'number' && typeof id !== 'string') || !/^\d+$/.test(String(id)))
          throw new ChannelError('system_error', 'wechatpay applyment answer without an applyment_id');
        return { channel_application_id: String(id) };
      } catch (error) {
        // a 4xx that is not about our signature is WeChat refusing the application's content
        if (error instanceof WechatCallError && error.kind === 'rejected')
          throw new OnboardingRefused(error.message);
        throw error;
      }
    },
    async status(id, config) {
      if (!/^\d{1,32}$/.test(id))
        throw new ChannelError('config', `wechatpay applyment_id ${id} is not digits`);
      const client = new WechatClient(settingsFor(config.fields), timeoutMs);
      const answer = await client.v3('get', `v3/applyment4sub/applyment/applyment_id/${id}`);
      return applymentStatus(answer.data);
    },
  };
}
