import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { Queryable } from '../../platform/db/index.js';
import type { SecretBox } from '../../platform/secret-box.js';
import type { ChannelName } from '../tables.js';
import { effectiveFields } from './schema.js';
import { merchantLevels, openSecrets, type ResolvedChannelConfig } from './store.js';

/**
 * Channel identity snapshots (issue 9 point 1). The configuration a channel order is opened with —
 * endpoint, sp_mchid/sub_mchid/sub_appid, Alipay app_id/app_auth_token, UnionPay merId, keys and
 * their serials — is written once as an immutable version; the order and its refunds reference it,
 * so every later call about that order (query, close, reverse, refund, refund query, notification
 * verification, bill matching) runs under the identity the channel knows the order by, whatever
 * the merchant's configuration has become since. A change writes a new version; old ones stay.
 *
 * The id is content-addressed: the same levels (same public fields, same sealed secrets) give the
 * same version, so opening many orders under one configuration writes one row. Every change to a
 * level re-seals its secrets, so any change yields a new id. No secret enters the hash in clear.
 */

export interface ConfigSnapshot {
  versionId: string;
  config: ResolvedChannelConfig;
}

const purpose = (versionId: string) => `channel_config_version:${versionId}`;

export function versionIdOf(
  merchantId: string,
  channel: ChannelName,
  levels: ReadonlyArray<{
    owner_id: string;
    fields: Record<string, string>;
    secrets_ciphertext: string | null;
  }>,
): string {
  const canonical = levels.map((l) => [
    l.owner_id,
    Object.entries(l.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    l.secrets_ciphertext,
  ]);
  const digest = createHash('sha256')
    .update(JSON.stringify([merchantId, channel, canonical]))
    .digest('hex');
  return `ccv_${digest.slice(0, 40)}`;
}

/** The merchant's configuration now, recorded as a version (found or written); undefined if not in force. */
export async function snapshotChannelConfig(
  db: Queryable,
  box: SecretBox,
  merchantId: string,
  channel: ChannelName,
  clock: Clock,
): Promise<ConfigSnapshot | undefined> {
  const found = await merchantLevels(db, merchantId, channel);
  if (!found?.enabled) return undefined;
  const versionId = versionIdOf(merchantId, channel, found.levels);
  const fields = effectiveFields(found.levels.map((r) => r.fields));
  const secrets = effectiveFields(found.levels.map((r) => openSecrets(box, r)));
  const secretNames = Object.keys(secrets).sort();
  await db
    .insertInto('channel_config_versions')
    .values({
      id: versionId,
      merchant_id: merchantId,
      channel,
      fields: JSON.stringify(fields),
      secret_fields: JSON.stringify(secretNames),
      secrets_ciphertext: secretNames.length ? box.seal(JSON.stringify(secrets), purpose(versionId)) : null,
      created_at: clock.now(),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return {
    versionId,
    config: {
      merchant_id: merchantId,
      service_provider_id: found.merchant.service_provider_id,
      channel,
      fields: { ...fields, ...secrets },
    },
  };
}

/** A recorded version, secrets opened: what every call about an order placed under it uses. */
export async function channelConfigVersion(
  db: Queryable,
  box: SecretBox,
  versionId: string,
): Promise<ResolvedChannelConfig | undefined> {
  const row = await db
    .selectFrom('channel_config_versions as v')
    .innerJoin('merchants as m', 'm.id', 'v.merchant_id')
    .select([
      'v.id',
      'v.merchant_id',
      'v.channel',
      'v.fields',
      'v.secrets_ciphertext',
      'm.service_provider_id',
    ])
    .where('v.id', '=', versionId)
    .executeTakeFirst();
  if (!row) return undefined;
  const secrets = row.secrets_ciphertext
    ? (JSON.parse(box.open(row.secrets_ciphertext, purpose(row.id))) as Record<string, string>)
    : {};
  return {
    merchant_id: row.merchant_id,
    service_provider_id: row.service_provider_id,
    channel: row.channel,
    fields: { ...row.fields, ...secrets },
  };
}

/** The versions a merchant's orders on a channel were placed under, newest first (notification candidates). */
export async function recentChannelConfigVersions(
  db: Queryable,
  merchantId: string,
  channel: ChannelName,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('channel_config_versions')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('channel', '=', channel)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
