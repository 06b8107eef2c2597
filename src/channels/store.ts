import type { Queryable } from '../platform/db/index.js';
import { CHANNEL_IDS } from './catalog.js';
import type { ChannelId } from './channel.js';
import './tables.js';

/**
 * Makes the database accept every channel id of the registry: run after migrating, before serving
 * (the CLI's `migrateDatabase`, the test databases). Idempotent and safe from several processes at
 * once (existing ids are left alone); an id dropped from the registry stays, as rows may name it.
 */
export async function registerChannelIds(
  db: Queryable,
  ids: readonly ChannelId[] = CHANNEL_IDS,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .insertInto('channels')
    .values(ids.map((id) => ({ id })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}
