import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { drainBookings, postEntry, postingRules } from '../ledger/index.js';
import { inTransaction, type Db, type Queryable, type Tx } from '../platform/db/index.js';
import { writeEvents } from './events.js';
import { addDays, isDate, type WorkingDayCalendar } from './calendar.js';
import { loadCalendar } from './calendar-store.js';
import { fromTotals } from './compute.js';
import { chinaDate, DEFAULT_SETTLEMENT_DAYS } from './config.js';
import { dayTotals, openHoldMerchants, runOf, type DayTotals } from './store.js';

/**
 * Settles one trade date: per merchant, the day's gross, refunds, fees and net become one
 * settlement row and one ledger entry (the merchant's pending → available), in batches of
 * BATCH merchants per transaction with their outbox events. A run row per trade date makes it
 * idempotent: a completed date is not settled again, and a run cut short resumes where it
 * stopped (a merchant's settlement and its entry commit together, unique per merchant and date).
 */

/** A reconciliation mismatch still open for the day (the reconciliation module provides them). */
export interface UnresolvedMismatch {
  id: string;
  type: string;
  order_id: string | null;
  channel: string;
  channel_amount: number | null;
  platform_amount: number | null;
}

export type UnresolvedMismatches = (db: Queryable, tradeDate: string) => Promise<UnresolvedMismatch[]>;

/** Without a reconciliation (tests of settlement alone), no mismatch is known; the app, the job and the CLI pass reconciliation's unresolvedMismatches. */
export const noMismatches: UnresolvedMismatches = async () => [];

export interface SettleDeps {
  db: Db;
  clock: Clock;
  /** N of T+N (SETTLEMENT_DAYS) */
  settlementDays?: number;
  unresolvedMismatches?: UnresolvedMismatches;
  onProgress?: (done: number, total: number) => void;
}

export interface SettleResult {
  tradeDate: string;
  settlementDate: string;
  /** false: the date was settled before and nothing changed */
  settledNow: boolean;
  merchants: number;
  held: number;
  orders: number;
  refunds: number;
  net: number;
  unresolvedMismatches: UnresolvedMismatch[];
}

export class SettlementNotDueError extends Error {
  constructor(
    readonly tradeDate: string,
    readonly settlementDate: string,
  ) {
    super(`trade date ${tradeDate} settles on ${settlementDate}, which has not come yet`);
    this.name = 'SettlementNotDueError';
  }
}

/** merchants per transaction, and transactions in flight at once (each on its own connection) */
const BATCH = 100;
const PARALLEL = 4;

export async function settleTradeDate(deps: SettleDeps, tradeDate: string): Promise<SettleResult> {
  const { db, clock } = deps;
  if (!isDate(tradeDate)) throw new RangeError(`not a yyyy-MM-dd date: ${JSON.stringify(tradeDate)}`);
  const calendar = await loadCalendar(db);
  const settlementDate = calendar.settlementDate(tradeDate, deps.settlementDays ?? DEFAULT_SETTLEMENT_DAYS);
  if (chinaDate(clock.now()) < settlementDate) throw new SettlementNotDueError(tradeDate, settlementDate);
  const mismatches = await (deps.unresolvedMismatches ?? noMismatches)(db, tradeDate);

  const begun = await beginRun(db, tradeDate, settlementDate, clock);
  if (begun.status === 'completed')
    return {
      tradeDate,
      settlementDate: begun.settlement_date,
      settledNow: false,
      merchants: begun.merchants,
      held: await heldCount(db, tradeDate),
      orders: Number(begun.orders),
      refunds: Number(begun.refunds),
      net: Number(begun.net),
      unresolvedMismatches: mismatches,
    };
  // a resumed run keeps the settlement date it started with
  const date = begun.settlement_date;
  // payments and refunds are booked by the ledger's consumer: what is still queued is booked now,
  // so the entries this settlement moves from pending are all there
  await drainBookings(db, { clock });
  const totals = await dayTotals(db, tradeDate);
  const holds = await openHoldMerchants(db);
  deps.onProgress?.(0, totals.length);
  let done = 0;
  // merchants touch disjoint ledger accounts, so batches run side by side without contention
  await inParallel(chunks(totals, BATCH), PARALLEL, async (batch) => {
    await inTransaction(db, (tx) => settleBatch(tx, batch, tradeDate, date, holds, clock));
    done += batch.length;
    deps.onProgress?.(done, totals.length);
  });
  const sums = totals.reduce(
    (a, t) => ({
      orders: a.orders + t.tradeCount,
      refunds: a.refunds + t.refundCount,
      net: a.net + fromTotals(t).net,
    }),
    { orders: 0, refunds: 0, net: 0 },
  );
  await db
    .updateTable('settlement_runs')
    .set({ status: 'completed', merchants: totals.length, ...sums, finished_at: clock.now() })
    .where('trade_date', '=', tradeDate)
    .execute();
  return {
    tradeDate,
    settlementDate: date,
    settledNow: true,
    merchants: totals.length,
    held: await heldCount(db, tradeDate),
    ...sums,
    unresolvedMismatches: mismatches,
  };
}

async function beginRun(db: Db, tradeDate: string, settlementDate: string, clock: Clock) {
  await db
    .insertInto('settlement_runs')
    .values({
      trade_date: tradeDate,
      settlement_date: settlementDate,
      status: 'running',
      started_at: clock.now(),
    })
    .onConflict((oc) => oc.column('trade_date').doNothing())
    .execute();
  const run = await runOf(db, tradeDate);
  if (!run) throw new Error(`settlement run for ${tradeDate} vanished`);
  return run;
}

async function heldCount(db: Queryable, tradeDate: string): Promise<number> {
  const row = await db
    .selectFrom('settlements')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('trade_date', '=', tradeDate)
    .where('status', '=', 'held')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` over the items with at most `width` at once; the first failure rejects. */
export async function inParallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

/**
 * One transaction: the batch's settlement rows in one insert (a merchant settled by an earlier,
 * interrupted run is skipped by the unique key), one ledger entry each, and their events.
 */
async function settleBatch(
  tx: Tx,
  batch: readonly DayTotals[],
  tradeDate: string,
  settlementDate: string,
  holds: Set<string>,
  clock: Clock,
): Promise<void> {
  const now = clock.now();
  const rows = batch.map((t) => {
    const holdReason = holds.has(t.merchantId) ? 'operator_hold' : t.underReview ? 'risk_review' : null;
    return {
      id: newId('settlement', now.getTime()),
      merchant_id: t.merchantId,
      trade_date: tradeDate,
      settlement_date: settlementDate,
      trade_count: t.tradeCount,
      refund_count: t.refundCount,
      ...fromTotals(t),
      status: holdReason ? ('held' as const) : ('pending' as const),
      hold_reason: holdReason,
      payout_id: null,
      created_at: now,
      updated_at: now,
    };
  });
  const inserted = new Set(
    (
      await tx
        .insertInto('settlements')
        .values(rows)
        .onConflict((oc) => oc.columns(['merchant_id', 'trade_date']).doNothing())
        .returning('id')
        .execute()
    ).map((r) => r.id),
  );
  const fresh = rows.filter((r) => inserted.has(r.id));
  for (const r of fresh)
    await postEntry(
      tx,
      postingRules.settlement({ settlementId: r.id, merchantId: r.merchant_id, amount: r.net }),
      now,
    );
  await writeEvents(
    tx,
    fresh.map((r) => ({
      topic: 'settlement.created',
      payload: {
        settlement_id: r.id,
        merchant_id: r.merchant_id,
        trade_date: tradeDate,
        settlement_date: settlementDate,
        gross: r.gross,
        refunds: r.refunds,
        fees: r.fees,
        net: r.net,
        status: r.status,
      },
    })),
    clock,
  );
}

/**
 * What the daily job settles: every trade date of the last LOOKBACK_DAYS whose settlement date has
 * come and that has no completed run (so a missed day or a changed N catches up).
 */
export const LOOKBACK_DAYS = 31;

export async function dueTradeDates(
  db: Queryable,
  calendar: WorkingDayCalendar,
  today: string,
  n: number,
): Promise<string[]> {
  const from = addDays(today, -LOOKBACK_DAYS);
  const done = new Set(
    (
      await db
        .selectFrom('settlement_runs')
        .select('trade_date')
        .where('status', '=', 'completed')
        .where('trade_date', '>=', from)
        .execute()
    ).map((r) => r.trade_date),
  );
  const due: string[] = [];
  for (let d = from; d < today; d = addDays(d, 1)) {
    if (done.has(d) || !calendar.hasYear(Number(d.slice(0, 4)))) continue;
    let settles: string;
    try {
      settles = calendar.settlementDate(d, n);
    } catch {
      continue; // the next year's calendar is not set yet: those dates wait for it
    }
    if (settles <= today) due.push(d);
  }
  return due;
}

/** Trade dates that settle on `settlementDate` (those before it whose T+N lands on it). */
export function tradeDatesOf(calendar: WorkingDayCalendar, settlementDate: string, n: number): string[] {
  const dates: string[] = [];
  for (let d = addDays(settlementDate, -1), i = 0; i < 60; d = addDays(d, -1), i++) {
    let settles: string;
    try {
      settles = calendar.settlementDate(d, n);
    } catch {
      break;
    }
    if (settles < settlementDate) break;
    if (settles === settlementDate) dates.push(d);
  }
  return dates.reverse();
}
