import type { Clock } from '../core/clock.js';
import type { Channel, ChannelId } from './channel.js';
import type { ConfigFields } from './config-fields.js';
import type { ChannelEntry } from './entry.js';
import type { OnboardingChannels } from './onboarding-types.js';
import { CHANNEL_ENTRIES } from './registry.js';

// What the rest of JuhePay knows about the channels, all read off the registry's one list
// (registry.ts), never written out again.

const ENTRIES: Readonly<Record<ChannelId, ChannelEntry>> = CHANNEL_ENTRIES;

/** Every channel id of the installation, in the registry's order. */
export const CHANNEL_IDS: readonly ChannelId[] = Object.freeze(Object.keys(ENTRIES) as ChannelId[]);

export function isChannelId(value: unknown): value is ChannelId {
  return typeof value === 'string' && Object.hasOwn(ENTRIES, value);
}

/** Every channel adapter of the installation. */
export function createChannelAdapters(clock: Clock): Channel[] {
  return CHANNEL_IDS.map((id) => ENTRIES[id].adapter({ clock }));
}

/** The channels' onboarding (进件) implementations the worker runs `onboardingJobHandlers` with. */
export function createOnboardingChannels(
  clock: Clock,
  options: { timeoutMs?: number } = {},
): OnboardingChannels {
  const out: OnboardingChannels = {};
  for (const id of CHANNEL_IDS) {
    const onboarding = ENTRIES[id].onboarding;
    if (onboarding) out[id] = onboarding.create({ clock, timeoutMs: options.timeoutMs });
  }
  return out;
}

/** Each channel's configuration fields (the merchants module checks stored values against them). */
export const CHANNEL_CONFIG_FIELDS = Object.fromEntries(
  CHANNEL_IDS.map((id) => [id, ENTRIES[id].configFields]),
) as { readonly [Id in ChannelId]: ConfigFields };

/** The channels that take onboarding (进件) applications. */
export const ONBOARDING_CHANNEL_IDS: readonly ChannelId[] = CHANNEL_IDS.filter(
  (id) => ENTRIES[id].onboarding !== undefined,
);

/** Where an approved onboarding's sub-merchant id goes, for the channels that take onboarding. */
export const SUB_MERCHANT_FIELD: Readonly<Partial<Record<ChannelId, string>>> = Object.fromEntries(
  CHANNEL_IDS.flatMap((id) => {
    const onboarding = ENTRIES[id].onboarding;
    return onboarding ? [[id, onboarding.subMerchantField]] : [];
  }),
);
