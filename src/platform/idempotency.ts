import type { Clock } from '../core/clock.js';
import type { Db, Queryable } from './db/index.js';

/**
 * The stored side of `Idempotency-Key` (CONTRACT §2): a claim row per (app, key) written before the
 * request runs, settled with its response, kept 7 days. The HTTP hooks are in http/idempotency.ts.
 */

export const IDEMPOTENCY_TTL_MS = 7 * 24 * 3600 * 1000;

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'conflict' }
  | { kind: 'in_progress' };

export async function claimKey(
  db: Db,
  appId: string,
  key: string,
  hash: string,
  clock: Clock,
): Promise<Claim> {
  const now = clock.now();
  // An expired row is reusable: drop it first, so the insert below can take the key.
  await db
    .deleteFrom('idempotency_keys')
    .where('app_id', '=', appId)
    .where('key', '=', key)
    .where('expires_at', '<=', now)
    .execute();
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      app_id: appId,
      key,
      request_hash: hash,
      status: 'in_progress',
      response_status: null,
      response_body: null,
      created_at: now,
      expires_at: new Date(clock.nowMs() + IDEMPOTENCY_TTL_MS),
    })
    .onConflict((oc) => oc.columns(['app_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { kind: 'claimed' };
  const row = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('app_id', '=', appId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return claimKey(db, appId, key, hash, clock); // released between our insert and select
  if (row.request_hash !== hash) return { kind: 'conflict' };
  if (row.status !== 'done' || row.response_status === null) return { kind: 'in_progress' };
  return { kind: 'replay', status: row.response_status, body: row.response_body ?? '' };
}

export async function settleKey(
  db: Db,
  appId: string,
  key: string,
  status: number,
  body: string,
): Promise<void> {
  if (status >= 500) {
    await db.deleteFrom('idempotency_keys').where('app_id', '=', appId).where('key', '=', key).execute();
    return;
  }
  await db
    .updateTable('idempotency_keys')
    .set({ status: 'done', response_status: status, response_body: body })
    .where('app_id', '=', appId)
    .where('key', '=', key)
    .execute();
}

export async function purgeExpiredKeys(db: Queryable, clock: Clock): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('expires_at', '<=', clock.now())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
