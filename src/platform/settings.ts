import type { Clock } from '../core/clock.js';
import { inTransaction, lockKey, type Db, type Queryable, type Tx } from './db/index.js';

/** Installation-wide values in the `settings` table (fingerprints, generated tokens, demo ids). */

export async function getSetting<T>(db: Queryable, key: string): Promise<T | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row ? (row.value as T) : undefined;
}

export async function putSetting(db: Queryable, key: string, value: unknown, clock: Clock): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value: JSON.stringify(value), updated_at: clock.now() })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: clock.now() }),
    )
    .execute();
}

/**
 * Returns the setting, creating it with `create` if absent. Serialised by an advisory lock so two
 * processes starting together on one PostgreSQL create it once.
 */
export async function getOrCreateSetting<T>(
  db: Db,
  key: string,
  clock: Clock,
  create: (tx: Tx) => Promise<T>,
): Promise<T> {
  const existing = await getSetting<T>(db, key);
  if (existing !== undefined) return existing;
  return inTransaction(db, async (tx) => {
    await lockKey(tx, `juhepay:setting:${key}`);
    const raced = await getSetting<T>(tx, key);
    if (raced !== undefined) return raced;
    const value = await create(tx);
    await putSetting(tx, key, value, clock);
    return value;
  });
}
