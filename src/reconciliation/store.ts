import { sql, type Selectable } from 'kysely';
import { newId } from '../core/ids.js';
import type { Queryable } from '../platform/db/index.js';
import type { MatchSummary } from './match.js';
import type { BillTotals } from './bills/types.js';
import type { ReconciliationMismatchesTable, ReconciliationsTable } from './tables.js';

/**
 * The reconciliation runs (migration 0014): one row per trade date, channel and identity, started,
 * finished and read here. The bill's storage is bill-files.ts, the day's records platform.ts, the
 * mismatches mismatches.ts. Takes a Db or the caller's Tx.
 */

export type ReconciliationRow = Selectable<ReconciliationsTable>;
export type MismatchRow = Selectable<ReconciliationMismatchesTable>;

/** `yyyy-MM-dd` (China, UTC+8) → the instants [start, end) of that day */
export function chinaDay(date: string): { start: Date; end: Date } {
  const start = new Date(`${date}T00:00:00+08:00`);
  return { start, end: new Date(start.getTime() + 86_400_000) };
}

/** a run not finished after this long is taken to have died (a crash, a killed command) */
export const RUN_LEASE_MS = 30 * 60_000;

export class ReconciliationBusyError extends Error {}

/**
 * Starts (or restarts: a re-run of the day updates the same row) the reconciliation of a unit.
 * A unit already running (and not stale) is not started twice: ReconciliationBusyError.
 */
export async function beginReconciliation(
  db: Queryable,
  unit: { date: string; channel: string; identity: string },
  now: Date,
): Promise<ReconciliationRow> {
  const row = await db
    .insertInto('reconciliations')
    .values({
      id: newId('reconciliation', now.getTime()),
      trade_date: unit.date,
      channel: unit.channel,
      identity: unit.identity,
      status: 'running',
      summary: '{}',
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['trade_date', 'channel', 'identity'])
        .doUpdateSet({
          status: 'running',
          reason: null,
          runs: sql`reconciliations.runs + 1`,
          updated_at: now,
          completed_at: null,
        })
        .where((eb) =>
          eb.or([
            eb('reconciliations.status', '!=', 'running'),
            eb('reconciliations.updated_at', '<', new Date(now.getTime() - RUN_LEASE_MS)),
          ]),
        ),
    )
    .returningAll()
    .executeTakeFirst();
  if (!row)
    throw new ReconciliationBusyError(
      `the ${unit.channel} reconciliation of ${unit.date} (${unit.identity}) is running already`,
    );
  return row;
}

export async function finishReconciliation(
  db: Queryable,
  id: string,
  result:
    | { status: 'completed'; summary: MatchSummary; totals: BillTotals | null }
    | { status: 'failed'; reason: string },
  now: Date,
): Promise<ReconciliationRow> {
  const set =
    result.status === 'completed'
      ? {
          status: 'completed' as const,
          reason: null,
          summary: JSON.stringify({
            matched: result.summary.matched,
            mismatched: result.summary.mismatched,
            channel_total: result.summary.channelTotal,
            platform_total: result.summary.platformTotal,
          }),
          totals: result.totals ? JSON.stringify(result.totals) : null,
        }
      : { status: 'failed' as const, reason: result.reason };
  return db
    .updateTable('reconciliations')
    .set({ ...set, updated_at: now, completed_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function getReconciliation(db: Queryable, id: string): Promise<ReconciliationRow | undefined> {
  return db.selectFrom('reconciliations').selectAll().where('id', '=', id).executeTakeFirst();
}
/** The reconciliations of a trade date (settlement reports them next to its figures). */
export function reconciliationsOf(db: Queryable, tradeDate: string): Promise<ReconciliationRow[]> {
  return db
    .selectFrom('reconciliations')
    .selectAll()
    .where('trade_date', '=', tradeDate)
    .orderBy('id')
    .execute();
}
