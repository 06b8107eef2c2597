import type { Clock } from '../core/clock.js';
import type { Queryable } from '../platform/db/index.js';
import type { SecretBox } from '../platform/secret-box.js';
import { CHANNEL_IDS, type ChannelId } from '../channels/index.js';
import { upsertChannelConfig } from '../merchants/index.js';
import { sandboxCredentials } from '../sandbox/credentials.js';
import type { SandboxKeys } from '../sandbox/keys.js';
import { sandboxChannelConfigs } from './sandbox-configs.js';

/**
 * The fields of a sandbox configuration that are the merchant's own (its sub-merchant ids, the
 * token it granted the ISV app); the rest are the credential holder's. A channel not listed here
 * (the H5 wallets: no service-provider mode) is configured at the merchant alone.
 */
const MERCHANT_FIELDS: Partial<Record<ChannelId, readonly string[]>> = {
  wechatpay: ['sub_mchid'],
  alipay: ['app_auth_token', 'auth_app_id', 'seller_id'],
  unionpay: ['mer_id'],
};

/**
 * The demo tenant's channel configuration, pointing at the sandbox (built by sandbox-configs.ts
 * from the sandbox's published credentials, like the tests'): the service provider holds the
 * channel credentials (WeChat service-provider mode, the Alipay ISV app, the UnionPay signing
 * key) and the merchant its sub-merchant ids, as an acquirer's real setup would be. The demo bank
 * holds the same credentials, as a bank that is itself a service provider at the channels: a
 * merchant created without a service provider can then be onboarded and paid in the sandbox too.
 */
export async function writeDemoChannelConfigs(
  db: Queryable,
  box: SecretBox,
  ids: { institutionId?: string; serviceProviderId: string; merchantId: string },
  sandbox: { url: string; keys: SandboxKeys },
  clock: Clock,
): Promise<void> {
  const base = sandbox.url.replace(/\/+$/, '');
  const configs = sandboxChannelConfigs(sandboxCredentials(sandbox.keys, base), base);
  const holders = [
    ...(ids.institutionId ? [{ ownerId: ids.institutionId, ownerType: 'institution' as const }] : []),
    { ownerId: ids.serviceProviderId, ownerType: 'service_provider' as const },
  ];
  for (const channel of CHANNEL_IDS) {
    const config = configs[channel];
    if (!config) continue; // no simulator for it: the demo tenant is not set up for that channel
    const own = MERCHANT_FIELDS[channel];
    const fields = Object.entries(config.fields);
    if (own) {
      const provider = Object.fromEntries(fields.filter(([name]) => !own.includes(name)));
      for (const holder of holders)
        await upsertChannelConfig(db, box, { ...holder, channel, patch: provider }, clock);
    }
    const merchant = Object.fromEntries(fields.filter(([name]) => !own || own.includes(name)));
    await upsertChannelConfig(
      db,
      box,
      { ownerId: ids.merchantId, ownerType: 'merchant', channel, patch: merchant },
      clock,
    );
  }
}
