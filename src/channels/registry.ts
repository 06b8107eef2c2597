import { ApiError } from '../core/errors.js';
import { alipay } from './alipay/index.js';
import { ChannelError, type Channel, type ChannelConfig, type ChannelId } from './channel.js';
import type { ChannelEntry } from './entry.js';
import { h5wallet } from './h5wallet/index.js';
import { unionpay } from './unionpay/index.js';
import { wechatpay } from './wechatpay/index.js';

/**
 * Every channel of the installation, one line each: the channel id and its folder's entry (its
 * index.ts). This is the one list of channel ids: `ChannelId` (below), `CHANNEL_IDS` and everything
 * else in catalog.ts, the routes, the merchants' configurations and the database's `channels` table
 * (filled from it at start, store.ts) follow from it. docs/development.md, "Adding a channel".
 */
export const CHANNEL_ENTRIES = {
  wechatpay,
  alipay,
  unionpay,
  qqwallet: h5wallet('qqwallet'),
  jdpay: h5wallet('jdpay'),
  baiduwallet: h5wallet('baiduwallet'),
} as const satisfies Readonly<Record<string, ChannelEntry>>;

declare module './channel.js' {
  // the registry's keys are the channel ids (ChannelId = keyof RegisteredChannels)
  interface RegisteredChannels extends Record<keyof typeof CHANNEL_ENTRIES, ChannelEntry> {}
}

/**
 * Where the payment code finds a channel's adapter and a merchant's configuration for it.
 * Adapters are registered by channel id; configurations come from the merchant's channel
 * settings (issue 4), so pointing a merchant at the real channel is configuration only.
 */
export interface ChannelConfigSource {
  /** the merchant's configuration for the channel, secrets opened; undefined if not configured */
  get(merchantId: string, channel: ChannelId): Promise<ChannelConfig | undefined>;
  /**
   * The configuration now, recorded as an immutable version for a channel order about to be
   * opened. Sources without versions (fixed test configurations) leave it out.
   */
  snapshot?(
    merchantId: string,
    channel: ChannelId,
  ): Promise<{ versionId: string; config: ChannelConfig } | undefined>;
  /** a recorded version, secrets opened */
  version?(versionId: string): Promise<ChannelConfig | undefined>;
  /** the merchant's recorded versions for a channel, newest first */
  versionsOf?(merchantId: string, channel: ChannelId, limit: number): Promise<string[]>;
}

/** What a later call needs to find the identity a channel order (or refund) was placed with. */
export interface ChannelIdentityRef {
  merchant_id: string;
  channel_config_version_id: string | null;
}

export class ChannelRegistry {
  private readonly channels = new Map<ChannelId, Channel>();

  constructor(
    readonly configs: ChannelConfigSource,
    channels: readonly Channel[] = [],
  ) {
    for (const channel of channels) this.register(channel);
  }

  register(channel: Channel): void {
    this.channels.set(channel.id, channel);
  }

  has(id: ChannelId): boolean {
    return this.channels.has(id);
  }

  adapter(id: ChannelId): Channel {
    const channel = this.channels.get(id);
    if (!channel)
      throw new ApiError(
        'channel_unavailable',
        `channel ${id} is not available on this installation`,
        'pay_way',
      );
    return channel;
  }

  /**
   * The configuration to open a channel order with, and the version to record on it (null when
   * the source keeps no versions).
   */
  async snapshot(
    merchantId: string,
    id: ChannelId,
  ): Promise<{ versionId: string | null; config: ChannelConfig }> {
    if (!this.configs.snapshot) return { versionId: null, config: await this.config(merchantId, id) };
    const found = await this.configs.snapshot(merchantId, id);
    if (!found) throw new ApiError('channel_unavailable', `the merchant is not set up for ${id}`, 'pay_way');
    return found;
  }

  /**
   * The identity an order (or refund) was placed with: its recorded version, never the merchant's
   * configuration now. Rows from before versions existed fall back to the configuration now.
   */
  async configOf(ref: ChannelIdentityRef, id: ChannelId): Promise<ChannelConfig> {
    if (ref.channel_config_version_id === null || !this.configs.version)
      return this.config(ref.merchant_id, id);
    const config = await this.configs.version(ref.channel_config_version_id);
    if (!config || config.channel !== id)
      throw new ChannelError(
        'config',
        `channel configuration version ${ref.channel_config_version_id} is missing`,
      );
    return config;
  }

  /**
   * Configurations a notification for the merchant may be signed for: the one now, then its recorded
   * versions newest first (a late notification about an old order may use an old identity's keys).
   */
  async notificationCandidates(
    merchantId: string,
    id: ChannelId,
    limit = 20,
  ): Promise<Array<{ versionId: string | null; config: ChannelConfig }>> {
    const now = await this.configs.get(merchantId, id);
    const out: Array<{ versionId: string | null; config: ChannelConfig }> = now
      ? [{ versionId: null, config: now }]
      : [];
    if (!this.configs.versionsOf || !this.configs.version) return out;
    for (const versionId of await this.configs.versionsOf(merchantId, id, limit)) {
      const config = await this.configs.version(versionId);
      if (config) out.push({ versionId, config });
    }
    return out;
  }

  async config(merchantId: string, id: ChannelId): Promise<ChannelConfig> {
    const config = await this.configs.get(merchantId, id);
    if (!config) throw new ApiError('channel_unavailable', `the merchant is not set up for ${id}`, 'pay_way');
    return config;
  }
}
