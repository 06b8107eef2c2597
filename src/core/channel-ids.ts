/**
 * Every channel JuhePay speaks to, listed once. The `ChannelId` type, the channel registry
 * (src/channels/registry.ts: its entries are typed by these ids, so a missing one does not
 * compile), the admin and notification routes and the database's `channel_id` domain (migration
 * 0016) are all derived from this list. It lives in core because the migrations (platform) need it.
 */
export const CHANNEL_IDS = ['wechatpay', 'alipay', 'unionpay', 'qqwallet', 'jdpay', 'baiduwallet'] as const;

export type ChannelId = (typeof CHANNEL_IDS)[number];

export function isChannelId(value: unknown): value is ChannelId {
  return typeof value === 'string' && (CHANNEL_IDS as readonly string[]).includes(value);
}
