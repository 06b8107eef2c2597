import type { ChannelRegistry } from '../channels/registry.js';
import type { PlatformContext } from '../platform/context.js';

/** What the app is built with: the platform, plus the channel adapters and merchants' configurations. */
export interface AppContext extends PlatformContext {
  channels: ChannelRegistry;
}
