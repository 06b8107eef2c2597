import type { Kyc } from '../kyc/application.js';
import type { ResolvedChannelConfig } from '../channel-config/store.js';
import type { ChannelName } from '../tables.js';

/**
 * The channel side of onboarding (进件): WeChat Pay `applyment4sub` for service providers, the
 * Alipay ISV equivalent, UnionPay merchant registration. One implementation per channel speaks
 * its protocol (the sandbox plays the channels); the job flow in ./jobs.ts only sees this.
 */

export interface OnboardingSubmission {
  /** our unique key for this submission (WeChat business_code): a repeated submit after a crash is
   * recognised by the channel as the same application, not a second one */
  business_code: string;
  application_id: string;
  merchant_id: string;
  /** the full KYC fields, unmasked */
  kyc: Kyc;
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
    channelConfig: ResolvedChannelConfig,
  ): Promise<{ channel_application_id: string }>;
  status(
    channelApplicationId: string,
    channelConfig: ResolvedChannelConfig,
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
export type OnboardingChannels = Partial<Record<ChannelName, ChannelOnboarding>>;
