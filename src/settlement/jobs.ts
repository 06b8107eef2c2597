import type { Clock } from '../core/clock.js';
import type { Db } from '../platform/db/index.js';
import { enqueue, type JobHandler } from '../platform/jobs/index.js';
import type { Logger } from '../platform/logger.js';
import type { SecretBox } from '../platform/secret-box.js';
import { loadCalendar } from './calendar-store.js';
import { addDays } from './calendar.js';
import { chinaDate, DEFAULT_SETTLEMENT_DAYS } from './config.js';
import { runPayouts, type PayoutRunResult } from './payouts.js';
import {
  dueTradeDates,
  settleTradeDate,
  tradeDatesOf,
  type SettleResult,
  type UnresolvedMismatches,
} from './run.js';

/**
 * The daily settlement on the injected clock: at SETTLE_AT_HOUR (China time) every day it settles
 * each trade date whose settlement day has come, then pays the day's payouts once every trade date
 * settling on it is settled. The same steps as `juhepay settle` without --date.
 */

export const SETTLEMENT_QUEUE = 'settlement.daily';
/** 06:00 in China: the channels' bills of the day before are out, reconciliation has run */
export const SETTLE_AT_HOUR = 6;

export interface DailyDeps {
  db: Db;
  clock: Clock;
  box: SecretBox;
  logger?: Logger;
  settlementDays?: number;
  unresolvedMismatches?: UnresolvedMismatches;
  onProgress?: (done: number, total: number) => void;
}

export interface DailyResult {
  settled: SettleResult[];
  payouts: PayoutRunResult | null;
  /** trade dates settling today that are not settled yet (payouts wait for them) */
  waitingFor: string[];
}

export async function settleDue(deps: DailyDeps): Promise<DailyResult> {
  const n = deps.settlementDays ?? DEFAULT_SETTLEMENT_DAYS;
  const today = chinaDate(deps.clock.now());
  const calendar = await loadCalendar(deps.db);
  const settled: SettleResult[] = [];
  for (const date of await dueTradeDates(deps.db, calendar, today, n))
    settled.push(await settleTradeDate({ ...deps, settlementDays: n }, date));
  const { payouts, waitingFor } = await payoutsIfComplete(deps, today);
  return { settled, payouts, waitingFor };
}

/** Payouts of `settlementDate` when it is a working day and every trade date settling on it is settled. */
export async function payoutsIfComplete(
  deps: DailyDeps,
  settlementDate: string,
): Promise<{ payouts: PayoutRunResult | null; waitingFor: string[] }> {
  const n = deps.settlementDays ?? DEFAULT_SETTLEMENT_DAYS;
  const calendar = await loadCalendar(deps.db);
  if (!calendar.hasYear(Number(settlementDate.slice(0, 4))) || !calendar.isWorkingDay(settlementDate))
    return { payouts: null, waitingFor: [] };
  const dates = tradeDatesOf(calendar, settlementDate, n);
  const done = new Set(
    dates.length === 0
      ? []
      : (
          await deps.db
            .selectFrom('settlement_runs')
            .select('trade_date')
            .where('trade_date', 'in', dates)
            .where('status', '=', 'completed')
            .execute()
        ).map((r) => r.trade_date),
  );
  const waitingFor = dates.filter((d) => !done.has(d));
  if (waitingFor.length > 0) return { payouts: null, waitingFor };
  return { payouts: await runPayouts(deps, settlementDate), waitingFor };
}

/** Enqueues the next daily run (one per China date, whoever schedules it). */
export function scheduleDailySettlement(db: Db, clock: Clock): Promise<string> {
  const now = clock.now();
  const today = chinaDate(now);
  const todayAt = new Date(`${today}T${String(SETTLE_AT_HOUR).padStart(2, '0')}:00:00+08:00`);
  const day = now < todayAt ? today : addDays(today, 1);
  const runAt = new Date(`${day}T${String(SETTLE_AT_HOUR).padStart(2, '0')}:00:00+08:00`);
  return enqueue(
    db,
    { queue: SETTLEMENT_QUEUE, payload: { day }, runAt, dedupeKey: `settlement:daily:${day}` },
    clock,
  );
}

export function settlementJobHandlers(deps: DailyDeps): Record<string, JobHandler> {
  return {
    [SETTLEMENT_QUEUE]: async () => {
      const result = await settleDue(deps);
      deps.logger?.info(
        {
          settled: result.settled.map((s) => ({
            trade_date: s.tradeDate,
            merchants: s.merchants,
            net: s.net,
            unresolved_mismatches: s.unresolvedMismatches.length,
          })),
          payouts: result.payouts && {
            created: result.payouts.created,
            amount: result.payouts.amount,
            skipped: result.payouts.skipped.length,
          },
          waiting_for: result.waitingFor,
        },
        'daily settlement',
      );
      await scheduleDailySettlement(deps.db, deps.clock);
    },
  };
}
