import type { ChannelRegistry } from '../channels/registry.js';
import type { PlatformContext } from '../platform/context.js';
import type { Risk } from '../risk/index.js';

/** What the app is built with: the platform, plus the channel adapters and merchants' configurations. */
export interface AppContext extends PlatformContext {
  channels: ChannelRegistry;
  /** risk control (CONTRACT §8); absent only in tests that build a bare context */
  risk?: Risk | undefined;
}
