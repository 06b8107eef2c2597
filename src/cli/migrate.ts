import { registerChannelIds } from '../channels/index.js';
import { migrateToLatest, type Db } from '../platform/db/index.js';

/**
 * The database made ready for this build: migrated, then the channels' registry written to its
 * `channels` table (the ids its channel columns accept), so a new channel needs no migration.
 * Every command that opens the database goes through here (boot does the same two steps with the
 * modules it loads lazily). Returns the migrations applied.
 */
export async function migrateDatabase(db: Db): Promise<string[]> {
  const applied = await migrateToLatest(db);
  await registerChannelIds(db);
  return applied;
}
