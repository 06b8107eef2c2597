import type { Clock } from '../core/clock.js';
import type { Channel } from './channel.js';
import type { ConfigFields } from './config-fields.js';
import type { ChannelOnboarding } from './onboarding-types.js';

/**
 * What a channel folder hands the registry (src/channels/registry.ts) from its index.ts: how to
 * make its adapter, the fields of its configuration and, for channels that take onboarding
 * (进件) applications, how to make that and where an approval's sub-merchant id goes.
 */
export interface ChannelEntry {
  adapter(deps: { clock: Clock }): Channel;
  configFields: ConfigFields;
  onboarding?: {
    create(deps: { clock: Clock; timeoutMs?: number | undefined }): ChannelOnboarding;
    /** the configuration field an approved application's sub-merchant id is written to */
    subMerchantField: string;
  };
}
