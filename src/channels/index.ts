export { CHANNEL_IDS, isChannelId } from './channel.js';
export type { Channel, ChannelConfig, ChannelId, PayWay } from './channel.js';
export type { ConfigFieldSpec, ConfigFields } from './config-fields.js';
export {
  CHANNEL_CONFIG_FIELDS,
  CHANNEL_ENTRIES,
  ChannelRegistry,
  createChannelAdapters,
  createOnboardingChannels,
  ONBOARDING_CHANNEL_IDS,
  SUB_MERCHANT_FIELD,
  type ChannelConfigSource,
} from './registry.js';
