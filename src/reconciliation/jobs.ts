import type { ChannelId } from '../channels/channel.js';
import type { Clock } from '../core/clock.js';
import type { Queryable } from '../platform/db/index.js';
import { enqueue, type Handlers } from '../platform/jobs/index.js';
import { BILL_FORMATS, reconcileDay, type ReconcileDeps } from './run.js';

/**
 * The daily job: at 10:00 China time (the channels publish day D's bill the morning after) it
 * reconciles yesterday for every channel with a bill, then schedules tomorrow's run. The dedupe
 * key (one per trade date) keeps several workers from running a day twice at once; a day run
 * again (by hand, or this job retried) gives the same outcomes.
 */

export const RECONCILE_QUEUE = 'reconcile_daily';
const DAY_MS = 86_400_000;
const CHINA_MS = 8 * 3_600_000;
const RUN_AT_HOUR = 10;

/** the China date `yyyy-MM-dd` of an instant */
export function chinaDate(at: number): string {
  return new Date(at + CHINA_MS).toISOString().slice(0, 10);
}

/** the next 10:00 China time strictly after `now`, and the trade date (the day before) it reconciles */
export function nextRun(now: number): { runAt: Date; tradeDate: string } {
  const today = Date.parse(`${chinaDate(now)}T00:00:00Z`) - CHINA_MS; // China midnight, as an instant
  let runAt = today + RUN_AT_HOUR * 3_600_000;
  if (runAt <= now) runAt += DAY_MS;
  return { runAt: new Date(runAt), tradeDate: chinaDate(runAt - DAY_MS) };
}

export function scheduleDailyReconciliation(db: Queryable, clock: Clock): Promise<string> {
  const { runAt, tradeDate } = nextRun(clock.nowMs());
  return enqueue(
    db,
    {
      queue: RECONCILE_QUEUE,
      payload: { trade_date: tradeDate },
      runAt,
      dedupeKey: `reconcile:${tradeDate}`,
    },
    clock,
  );
}

export function reconciliationJobHandlers(deps: ReconcileDeps): Handlers {
  return {
    [RECONCILE_QUEUE]: async (job) => {
      const date = String((job.payload as { trade_date?: unknown }).trade_date);
      for (const channel of Object.keys(BILL_FORMATS) as ChannelId[]) {
        if (!deps.channels.has(channel)) continue;
        await reconcileDay(deps, { date, channel });
      }
      await scheduleDailyReconciliation(deps.db, deps.clock);
    },
  };
}
