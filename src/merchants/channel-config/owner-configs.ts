import type { Clock } from '../../core/clock.js';
import { inTransaction, type Db, type Queryable } from '../../platform/db/index.js';
import type { SecretBox } from '../../platform/secret-box.js';
import { writeAuditBy, type AuditActor } from '../audit.js';
import type { ChannelName } from '../tables.js';
import { getInstitution, getMerchant, getServiceProvider } from '../tenancy.js';
import { channelConfigObject, effectiveChannelObject, upsertChannelConfig } from './store.js';

/**
 * Channel configurations as the admin API shows and changes them, per owner: an institution or a
 * service provider (credentials its merchants inherit) or a merchant (its sub-merchant ids, or its
 * own credentials, and what is in force with inheritance). Secrets go in, never come out.
 */

export type ConfigOwnerKind = 'merchant' | 'service_provider' | 'institution';

/** 404 unless the owner exists. */
export function ensureConfigOwner(db: Queryable, kind: ConfigOwnerKind, id: string) {
  return kind === 'merchant'
    ? getMerchant(db, id)
    : kind === 'service_provider'
      ? getServiceProvider(db, id, 'id')
      : getInstitution(db, id, 'id');
}

/** The owner's own configuration (an empty one if none), and for a merchant the effective one. */
export async function ownerConfigView(
  db: Queryable,
  kind: ConfigOwnerKind,
  id: string,
  channel: ChannelName,
) {
  const row = await db
    .selectFrom('channel_configs')
    .selectAll()
    .where('owner_id', '=', id)
    .where('channel', '=', channel)
    .executeTakeFirst();
  const own = row
    ? channelConfigObject(row)
    : {
        object: 'channel_config' as const,
        owner_id: id,
        owner_type: kind,
        channel,
        enabled: true,
        fields: {},
        has_secret: {},
        created_at: null,
        updated_at: null,
      };
  if (kind !== 'merchant') return own;
  return { ...own, effective: await effectiveChannelObject(db, id, channel) };
}

/** Patches an owner's configuration (null removes a field) with its audit entry, in one transaction. */
export async function updateOwnerConfig(
  deps: { db: Db; box: SecretBox; clock: Clock },
  owner: { kind: ConfigOwnerKind; id: string; channel: ChannelName },
  patch: { fields?: Record<string, string | null> | undefined; enabled?: boolean | undefined },
  by: AuditActor,
) {
  const { db, box, clock } = deps;
  const { kind, id, channel } = owner;
  return inTransaction(db, async (tx) => {
    await ensureConfigOwner(tx, kind, id);
    const change = await upsertChannelConfig(
      tx,
      box,
      { ownerId: id, ownerType: kind, channel, patch: patch.fields ?? {}, enabled: patch.enabled },
      clock,
    );
    await writeAuditBy(tx, by, clock, {
      action: 'channel_config.update',
      objectType: 'channel_config',
      objectId: `${id}:${channel}`,
      merchantId: kind === 'merchant' ? id : null,
      before: change.before,
      after: change.after,
    });
    return ownerConfigView(tx, kind, id, channel);
  });
}
