import { systemClock, type Clock } from '../../core/clock.js';
import type { Queryable } from '../../platform/db/index.js';
import type { SecretBox } from '../../platform/secret-box.js';
import type { ChannelName } from '../tables.js';
import { resolveChannelConfig } from './store.js';
import { channelConfigVersion, recentChannelConfigVersions, snapshotChannelConfig } from './versions.js';

/**
 * The lookup the channel registry uses: a merchant's configuration now (`get`), recorded as an
 * immutable version when a channel order is opened (`snapshot`), read back by that version for
 * every later call about the order (`version`), and the versions a notification may be for.
 */
export function channelConfigSource(db: Queryable, box: SecretBox, clock: Clock = systemClock) {
  return {
    get: (merchantId: string, channel: ChannelName) => resolveChannelConfig(db, box, merchantId, channel),
    snapshot: (merchantId: string, channel: ChannelName) =>
      snapshotChannelConfig(db, box, merchantId, channel, clock),
    version: (versionId: string) => channelConfigVersion(db, box, versionId),
    versionsOf: (merchantId: string, channel: ChannelName, limit: number) =>
      recentChannelConfigVersions(db, merchantId, channel, limit),
  };
}
