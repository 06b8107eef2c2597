import type { ChannelEntry } from '../entry.js';
import { createUnionpayChannel } from './adapter.js';
import { UNIONPAY_CONFIG_FIELDS } from './config.js';
import { unionpayOnboarding } from './onboarding.js';

/** UnionPay's registry entry (src/channels/registry.ts). */
export const unionpay: ChannelEntry = {
  adapter: ({ clock }) => createUnionpayChannel({ clock }),
  configFields: UNIONPAY_CONFIG_FIELDS,
  onboarding: {
    create: ({ clock, timeoutMs }) =>
      unionpayOnboarding(timeoutMs === undefined ? { clock } : { clock, timeoutMs }),
    subMerchantField: 'mer_id',
  },
};
