import type { Queryable } from '../platform/db/index.js';
import type { MismatchRow } from './store.js';

/** The mismatches a run wrote (match-sql.ts writes them), read and resolved. */

export function mismatchesOf(db: Queryable, reconciliationId: string): Promise<MismatchRow[]> {
  return db
    .selectFrom('reconciliation_mismatches')
    .selectAll()
    .where('reconciliation_id', '=', reconciliationId)
    .orderBy('id')
    .execute();
}

export function getMismatch(db: Queryable, id: string, lock = false): Promise<MismatchRow | undefined> {
  const q = db.selectFrom('reconciliation_mismatches').selectAll().where('id', '=', id);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

export async function markMismatch(
  db: Queryable,
  id: string,
  status: 'auto_resolved' | 'resolved',
  resolution: Record<string, unknown>,
  now: Date,
): Promise<MismatchRow> {
  return db
    .updateTable('reconciliation_mismatches')
    .set({ status, resolution: JSON.stringify(resolution), resolved_at: now, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface UnresolvedMismatch {
  id: string;
  type: MismatchRow['type'];
  order_id: string | null;
  channel: string;
  channel_amount: number | null;
  platform_amount: number | null;
}

/** For settlement: the mismatches of a trade date that no one has resolved yet. */
export async function unresolvedMismatches(db: Queryable, tradeDate: string): Promise<UnresolvedMismatch[]> {
  const rows = await db
    .selectFrom('reconciliation_mismatches')
    .select(['id', 'type', 'order_id', 'channel', 'channel_amount', 'platform_amount'])
    .where('trade_date', '=', tradeDate)
    .where('status', '=', 'open')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ...r,
    channel_amount: r.channel_amount === null ? null : Number(r.channel_amount),
    platform_amount: r.platform_amount === null ? null : Number(r.platform_amount),
  }));
}
