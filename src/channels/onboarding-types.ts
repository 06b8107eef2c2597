import type { ChannelId } from './channel.js';

/**
 * The channel side of onboarding (进件): WeChat Pay `applyment4sub` for service providers, the
 * Alipay ISV equivalent, UnionPay merchant registration. One implementation per channel speaks its
 * protocol; the merchants module's job flow only sees these types. They live with the channels (the
 * provider of the interface), so channels never import the merchants module.
 */

/** The KYC fields a channel is sent, normalised and already checked by the merchants module. */
export interface OnboardingKyc {
  legal_name: string;
  short_name: string;
  license_no: string;
  legal_person_name: string;
  legal_person_id_no: string;
  contact_phone: string;
  mcc: string;
  settlement_account: {
    bank_name: string;
    account_name: string;
    account_no: string;
    account_type: 'corporate' | 'personal';
  };
}

/** The configuration an onboarding call is made with: the credential holder's, secrets opened. */
export interface OnboardingChannelConfig {
  merchant_id: string;
  service_provider_id: string | null;
  channel: ChannelId;
  fields: Record<string, string>;
}

export interface OnboardingSubmission {
  /** our unique key for this submission (WeChat business_code): a repeated submit after a crash is
   * recognised by the channel as the same application, not a second one */
  business_code: string;
  application_id: string;
  merchant_id: string;
  /** the full KYC fields, unmasked */
  kyc: OnboardingKyc;
}

export type ChannelOnboardingState = 'auditing' | 'approved' | 'rejected';

export interface ChannelOnboardingStatus {
  state: ChannelOnboardingState;
  /** set when approved: WeChat sub_mchid, Alipay smid, UnionPay merId */
  sub_merchant_id?: string;
  /** set when rejected: the channel's words */
  reason?: string;
  /** further configuration the approval hands over (e.g. Alipay app_auth_token) */
  fields?: Record<string, string>;
}

export interface ChannelOnboarding {
  submit(
    application: OnboardingSubmission,
    channelConfig: OnboardingChannelConfig,
  ): Promise<{ channel_application_id: string }>;
  status(
    channelApplicationId: string,
    channelConfig: OnboardingChannelConfig,
  ): Promise<ChannelOnboardingStatus>;
}

/** Throw from submit() when the channel refuses the application outright: no retry, it is rejected. */
export class OnboardingRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'OnboardingRefused';
  }
}

/** The implementations a worker has; a channel without one leaves its jobs waiting for one that does. */
export type OnboardingChannels = Partial<Record<ChannelId, ChannelOnboarding>>;
