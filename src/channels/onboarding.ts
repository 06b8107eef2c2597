// The onboarding implementations come from the registry's entries (each channel folder's index.ts).
export { createOnboardingChannels } from './registry.js';
