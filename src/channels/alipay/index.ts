import type { ChannelEntry } from '../entry.js';
import { createAlipayChannel } from './adapter.js';
import { ALIPAY_CONFIG_FIELDS } from './config.js';
import { alipayOnboarding } from './onboarding.js';

/** Alipay's registry entry (src/channels/registry.ts). */
export const alipay: ChannelEntry = {
  adapter: ({ clock }) => createAlipayChannel({ clock }),
  configFields: ALIPAY_CONFIG_FIELDS,
  onboarding: {
    create: ({ clock, timeoutMs }) => alipayOnboarding(clock, timeoutMs === undefined ? {} : { timeoutMs }),
    subMerchantField: 'smid',
  },
};
