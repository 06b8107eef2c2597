// The channel side of onboarding is an interface the channels provide (channels/onboarding-types.ts);
// the job flow in ./jobs.ts uses it under these names.
export {
  OnboardingRefused,
  type ChannelOnboarding,
  type ChannelOnboardingState,
  type ChannelOnboardingStatus,
  type OnboardingChannels,
  type OnboardingSubmission,
} from '../../channels/onboarding-types.js';
