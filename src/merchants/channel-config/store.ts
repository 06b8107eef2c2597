import type { Selectable } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import { lockKey, type Queryable } from '../../platform/db/index.js';
import type { SecretBox } from '../../platform/secret-box.js';
import type { ChannelConfigsTable, ChannelName } from '../tables.js';
import { applyPatch, checkPatch, configLevels, effectiveFields, type FieldPatch } from './schema.js';

/** Channel configuration rows: public fields in jsonb, secret fields sealed with the master key. */

type Row = Selectable<ChannelConfigsTable>;
type OwnerType = ChannelConfigsTable['owner_type'];

const purpose = (ownerId: string, channel: string) => `channel_config:${ownerId}:${channel}`;

function flags(names: readonly string[]): Record<string, true> {
  return Object.fromEntries([...names].sort().map((n) => [n, true as const]));
}

/** What the API shows: public fields and which secrets are set, never the secrets. */
export function channelConfigObject(row: Row) {
  return {
    object: 'channel_config' as const,
    owner_id: row.owner_id,
    owner_type: row.owner_type,
    channel: row.channel,
    enabled: row.enabled,
    fields: row.fields,
    has_secret: flags(row.secret_fields),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export type ChannelConfigObject = ReturnType<typeof channelConfigObject>;

function getRow(db: Queryable, ownerId: string, channel: ChannelName, lock = false) {
  let q = db
    .selectFrom('channel_configs')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('channel', '=', channel);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export function openSecrets(box: SecretBox, row: Row | undefined): Record<string, string> {
  if (!row?.secrets_ciphertext) return {};
  return JSON.parse(box.open(row.secrets_ciphertext, purpose(row.owner_id, row.channel))) as Record<
    string,
    string
  >;
}

export interface ConfigChange {
  ownerId: string;
  ownerType: OwnerType;
  channel: ChannelName;
  patch: FieldPatch;
  enabled?: boolean | undefined;
}

/**
 * Creates or updates a configuration by patch (null removes a field). Validates every field;
 * returns the API objects before (null when new) and after, for the audit log.
 */
export async function upsertChannelConfig(db: Queryable, box: SecretBox, change: ConfigChange, clock: Clock) {
  const checked = checkPatch(change.channel, change.patch);
  if ('code' in checked) throw new ApiError(checked.code, checked.message, `fields.${checked.param}`);
  // a row lock cannot guard the first save (no row yet): serialise on the key itself
  await lockKey(db, `juhepay:channel_config:${change.ownerId}:${change.channel}`);
  const existing = await getRow(db, change.ownerId, change.channel, true);
  const fields = applyPatch(existing?.fields ?? {}, checked.fields);
  const secrets = applyPatch(openSecrets(box, existing), checked.secrets);
  const secretNames = Object.keys(secrets).sort();
  const now = clock.now();
  const values = {
    fields: JSON.stringify(fields),
    secret_fields: JSON.stringify(secretNames),
    secrets_ciphertext: secretNames.length
      ? box.seal(JSON.stringify(secrets), purpose(change.ownerId, change.channel))
      : null,
    enabled: change.enabled ?? existing?.enabled ?? true,
    updated_at: now,
  };
  const row = existing
    ? await db
        .updateTable('channel_configs')
        .set(values)
        .where('owner_id', '=', change.ownerId)
        .where('channel', '=', change.channel)
        .returningAll()
        .executeTakeFirstOrThrow()
    : await db
        .insertInto('channel_configs')
        .values({
          owner_id: change.ownerId,
          owner_type: change.ownerType,
          channel: change.channel,
          ...values,
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
  return { before: existing ? channelConfigObject(existing) : null, after: channelConfigObject(row) };
}

export async function listChannelConfigObjects(db: Queryable, ownerId: string) {
  const rows = await db
    .selectFrom('channel_configs')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .orderBy('channel')
    .execute();
  return rows.map(channelConfigObject);
}

/** A merchant's effective configuration for one channel, secrets included: for channel adapters only. */
export interface ResolvedChannelConfig {
  merchant_id: string;
  service_provider_id: string | null;
  channel: ChannelName;
  /** public and secret fields: the merchant's own over its service provider's (else its institution's) */
  fields: Record<string, string>;
}

/** The merchant and its configuration levels for one channel (see configLevels), in two queries. */
export async function merchantLevels(db: Queryable, merchantId: string, channel: ChannelName) {
  const merchant = await db
    .selectFrom('merchants')
    .select(['id', 'service_provider_id', 'institution_id'])
    .where('id', '=', merchantId)
    .executeTakeFirst();
  if (!merchant) return undefined;
  const owners = [merchant.institution_id, merchant.service_provider_id, merchantId];
  const rows = await db
    .selectFrom('channel_configs')
    .selectAll()
    .where(
      'owner_id',
      'in',
      owners.filter((o): o is string => o !== null),
    )
    .where('channel', '=', channel)
    .execute();
  const of = (owner: string | null) => rows.find((r) => owner !== null && r.owner_id === owner);
  return {
    merchant,
    ...configLevels({
      provider: of(merchant.service_provider_id),
      institution: of(merchant.institution_id),
      own: of(merchantId),
    }),
  };
}

/**
 * What a channel adapter runs under for a merchant; undefined when neither it nor the holder of
 * its credentials configured the channel, or either disabled it.
 */
export async function resolveChannelConfig(
  db: Queryable,
  box: SecretBox,
  merchantId: string,
  channel: ChannelName,
): Promise<ResolvedChannelConfig | undefined> {
  const found = await merchantLevels(db, merchantId, channel);
  if (!found?.enabled) return undefined;
  return {
    merchant_id: merchantId,
    service_provider_id: found.merchant.service_provider_id,
    channel,
    fields: effectiveFields(found.levels.map((r) => ({ ...r.fields, ...openSecrets(box, r) }))),
  };
}

/** The effective view without secrets, for GET …/channels/{channel}?effective. */
export async function effectiveChannelObject(db: Queryable, merchantId: string, channel: ChannelName) {
  const found = await merchantLevels(db, merchantId, channel);
  if (!found) throw new ApiError('resource_missing', `no merchant ${merchantId}`, 'id');
  return {
    enabled: found.enabled,
    fields: effectiveFields(found.levels.map((r) => r.fields)),
    has_secret: flags([...new Set(found.levels.flatMap((r) => r.secret_fields))]),
    /** whose credentials the merchant runs under: its service provider, else its institution */
    inherited_from: found.holder?.owner_id ?? null,
  };
}
