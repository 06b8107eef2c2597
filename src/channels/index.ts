export {
  CHANNEL_CONFIG_FIELDS,
  CHANNEL_IDS,
  createChannelAdapters,
  createOnboardingChannels,
  isChannelId,
  ONBOARDING_CHANNEL_IDS,
  SUB_MERCHANT_FIELD,
} from './catalog.js';
export type { Channel, ChannelConfig, ChannelId, PayWay } from './channel.js';
export type { ConfigFieldSpec, ConfigFields } from './config-fields.js';
export type { ChannelEntry } from './entry.js';
export { CHANNEL_ENTRIES, ChannelRegistry, type ChannelConfigSource } from './registry.js';
export { registerChannelIds } from './store.js';
