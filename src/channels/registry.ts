import { ApiError } from '../core/errors.js';
import type { Channel, ChannelConfig, ChannelId } from './channel.js';

/**
 * Where the payment code finds a channel's adapter and a merchant's configuration for it.
 * Adapters are registered by channel id; configurations come from the merchant's channel
 * settings (issue 4), so pointing a merchant at the real channel is configuration only.
 */
export interface ChannelConfigSource {
  /** the merchant's configuration for the channel, secrets opened; undefined if not configured */
  get(merchantId: string, channel: ChannelId): Promise<ChannelConfig | undefined>;
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

  async config(merchantId: string, id: ChannelId): Promise<ChannelConfig> {
    const config = await this.configs.get(merchantId, id);
    if (!config) throw new ApiError('channel_unavailable', `the merchant is not set up for ${id}`, 'pay_way');
    return config;
  }
}
