import type { ChannelEntry } from '../entry.js';
import { createWechatpayChannel } from './adapter.js';
import { WECHATPAY_CONFIG_FIELDS } from './config.js';
import { wechatpayOnboarding } from './onboarding.js';

/** WeChat Pay's registry entry (src/channels/registry.ts). */
export const wechatpay: ChannelEntry = {
  adapter: ({ clock }) => createWechatpayChannel({ clock }),
  configFields: WECHATPAY_CONFIG_FIELDS,
  onboarding: {
    create: ({ timeoutMs }) => wechatpayOnboarding(timeoutMs === undefined ? {} : { timeoutMs }),
    subMerchantField: 'sub_mchid',
  },
};
