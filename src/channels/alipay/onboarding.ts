import type { Clock } from '../../core/clock.js';
import {
  OnboardingRefused,
  type ChannelOnboarding,
  type ChannelOnboardingStatus,
  type OnboardingSubmission,
} from '../onboarding-types.js';
import { ChannelError, type ChannelConfig } from '../channel.js';
import { callGateway } from './client.js';
import { alipaySettings } from './config.js';
import { resultKind } from './protocol/codes.js';

/**
 * Alipay 直付通 sub-merchant onboarding for an ISV: `ant.merchant.expand.indirect.zft.create`
 * files the application (as the ISV app itself, no app_auth_token) → order_id, and
 * `ant.merchant.expand.indirect.zftorder.query` reports status 99 (done, smid) or -1 (reason).
 */

export const ZFT_CREATE = 'ant.merchant.expand.indirect.zft.create';
export const ZFT_QUERY = 'ant.merchant.expand.indirect.zftorder.query';

/** Pure: KYC fields → the zft.create biz_content. */
export function zftCreateBiz(submission: OnboardingSubmission): Record<string, unknown> {
  const k = submission.kyc;
  const account = k.settlement_account;
  return {
    external_id: submission.business_code,
    merchant_type: '01', // 企业
    name: k.legal_name,
    alias_name: k.short_name,
    mcc: k.mcc,
    cert_type: '201', // 统一社会信用代码
    cert_no: k.license_no,
    legal_name: k.legal_person_name,
    legal_cert_no: k.legal_person_id_no,
    service: ['jsapi', 'qrcode'],
    contact_infos: [{ name: k.legal_person_name, mobile: k.contact_phone }],
    biz_cards: [
      {
        account_holder_name: account.account_name,
        account_no: account.account_no,
        account_inst_name: account.bank_name,
        account_type: 'DC',
        usage_type: account.account_type === 'personal' ? '02' : '01',
      },
    ],
  };
}

/** Pure: a zftorder.query answer → our status. */
export function zftOrderStatus(answer: Record<string, unknown>): ChannelOnboardingStatus {
  const orders = Array.isArray(answer.orders) ? (answer.orders as Array<Record<string, unknown>>) : [];
  const order = orders[0];
  if (!order) throw new ChannelError('system_error', 'alipay zftorder.query answered no order');
  const status = String(order.status ?? '');
  if (status === '99') {
    if (typeof order.smid !== 'string' || order.smid === '')
      throw new ChannelError('system_error', 'alipay zft order finished without an smid');
    return { state: 'approved', sub_merchant_id: order.smid };
  }
  if (status === '-1')
    return {
      state: 'rejected',
      reason: typeof order.reason === 'string' && order.reason ? order.reason : '审核失败',
    };
  return { state: 'auditing' };
}

function failureText(answer: Record<string, unknown>): string {
  return `${String(answer.code)} ${String(answer.sub_code ?? '')} ${String(answer.sub_msg ?? answer.msg ?? '')}`.trim();
}

export function alipayOnboarding(clock: Clock, options: { timeoutMs?: number } = {}): ChannelOnboarding {
  const gateway = { clock, timeoutMs: options.timeoutMs ?? 15_000 };
  const settingsOf = (fields: Record<string, string>) =>
    alipaySettings({ channel: 'alipay', fields } as ChannelConfig);
  return {
    async submit(application, config) {
      const answer = (await callGateway(
        settingsOf(config.fields),
        ZFT_CREATE,
        { biz: zftCreateBiz(application), asMerchant: false },
        gateway,
      )) as Record<string, unknown>;
      const kind = resultKind(String(answer.code ?? ''));
      if (kind === 'unknown')
        throw new ChannelError('system_error', `alipay ${ZFT_CREATE}: ${failureText(answer)}`);
      if (kind === 'failed') {
        // a wrong app or key is our configuration; anything else is Alipay refusing the content
        if (/^isv\.invalid-(app-id|signature)|^aop\./.test(String(answer.sub_code ?? '')))
          throw new ChannelError(
            'config',
            `alipay ${ZFT_CREATE}: ${failureText(answer)}`,
            String(answer.sub_code),
          );
        throw new OnboardingRefused(String(answer.sub_msg ?? answer.msg ?? 'refused by Alipay'));
      }
      if (typeof answer.order_id !== 'string' || answer.order_id === '')
        throw new ChannelError('system_error', `alipay ${ZFT_CREATE} answered without an order_id`);
      return { channel_application_id: answer.order_id };
    },
    async status(orderId, config) {
      const answer = (await callGateway(
        settingsOf(config.fields),
        ZFT_QUERY,
        { biz: { order_id: orderId }, asMerchant: false },
        gateway,
      )) as Record<string, unknown>;
      if (resultKind(String(answer.code ?? '')) !== 'success')
        throw new ChannelError('system_error', `alipay ${ZFT_QUERY}: ${failureText(answer)}`);
      return zftOrderStatus(answer);
    },
  };
}
