import type { Clock } from '../core/clock.js';
import type { OnboardingChannels } from './onboarding-types.js';
import { alipayOnboarding } from './alipay/onboarding.js';
import { unionpayOnboarding } from './unionpay/onboarding.js';
import { wechatpayOnboarding } from './wechatpay/onboarding.js';

/** The channels' onboarding (进件) implementations the worker runs `onboardingJobHandlers` with. */
export function createOnboardingChannels(
  clock: Clock,
  options: { timeoutMs?: number } = {},
): OnboardingChannels {
  return {
    wechatpay: wechatpayOnboarding(options),
    alipay: alipayOnboarding(clock, options),
    unionpay: unionpayOnboarding({ ...options, clock }),
  };
}
