import { ONBOARDING_CHANNEL_IDS } from '../../channels/index.js';
import type { ApplicationStatus, ChannelName, OnboardingChannelStatus } from '../tables.js';

/**
 * Onboarding states, pure. Per channel: (none) → submitted → auditing → approved | rejected; a
 * rejected channel may be submitted again. The application's status summarises its channels.
 */

/** The channels that take onboarding applications (the others are configured by hand): those whose
 * registry entry has an onboarding implementation. */
export const ONBOARDING_CHANNELS: readonly ChannelName[] = ONBOARDING_CHANNEL_IDS;

export type ChannelEvent = 'submit' | 'accepted' | 'approved' | 'rejected';

const TRANSITIONS: Record<ChannelEvent, ReadonlyArray<OnboardingChannelStatus | 'none'>> = {
  submit: ['none', 'rejected'],
  accepted: ['submitted'],
  // a channel may decide at once (approve on submit, refuse bad data) or after review
  approved: ['submitted', 'auditing'],
  rejected: ['submitted', 'auditing'],
};

const TARGET: Record<ChannelEvent, OnboardingChannelStatus> = {
  submit: 'submitted',
  accepted: 'auditing',
  approved: 'approved',
  rejected: 'rejected',
};

/** The next status, or null when the event is not allowed in the current one. */
export function nextChannelStatus(
  current: OnboardingChannelStatus | undefined,
  event: ChannelEvent,
): OnboardingChannelStatus | null {
  return TRANSITIONS[event].includes(current ?? 'none') ? TARGET[event] : null;
}

export function applicationStatus(channels: readonly OnboardingChannelStatus[]): ApplicationStatus {
  if (channels.length === 0) return 'draft';
  if (channels.some((s) => s === 'submitted' || s === 'auditing')) return 'in_progress';
  if (channels.every((s) => s === 'approved')) return 'approved';
  if (channels.every((s) => s === 'rejected')) return 'rejected';
  return 'partially_approved';
}

/**
 * Delay before asking the channel again, by how many times it was asked: quick at first (the
 * sandbox decides in seconds), then settling at 30 min, since real reviews take hours to days.
 */
export const POLL_DELAYS_MS = [
  2_000, 3_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000,
];
/** ~10 days at the 30-min tail; after that the channel row stays `auditing` for an operator to chase */
export const POLL_MAX_ATTEMPTS = 500;

export function pollDelayMs(attempts: number): number {
  const index = Math.min(POLL_DELAYS_MS.length - 1, Math.max(0, Math.floor(attempts) - 1));
  return POLL_DELAYS_MS[index]!;
}
