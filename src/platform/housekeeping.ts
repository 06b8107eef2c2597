import type { Clock } from '../core/clock.js';
import { purgeExpiredKeys } from './idempotency.js';
import type { Queryable } from './db/index.js';
import { enqueue, pruneFinishedJobs, type JobHandler } from './jobs/index.js';
import { pruneOutbox, pruneProcessedEvents } from './outbox/index.js';

/**
 * An hourly job that keeps the bookkeeping tables small: expired idempotency keys, published
 * outbox rows, old processed-event markers and finished jobs. It re-schedules itself; the dedupe
 * key (one per hour) keeps several workers from multiplying it.
 */

export const HOUSEKEEPING_QUEUE = 'housekeeping';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How long each kind of row is kept after it stops mattering. */
export const RETENTION_MS = {
  publishedOutbox: 7 * DAY_MS, // well past the stream's duplicate window
  processedEvents: 30 * DAY_MS, // longer than the stream keeps messages (7 days)
  finishedJobs: 14 * DAY_MS,
} as const;

export function scheduleHousekeeping(db: Queryable, clock: Clock, delayMs = 0): Promise<string> {
  const runAt = new Date(clock.nowMs() + delayMs);
  const bucket = Math.floor(runAt.getTime() / HOUR_MS);
  return enqueue(
    db,
    { queue: HOUSEKEEPING_QUEUE, payload: {}, runAt, dedupeKey: `housekeeping:${bucket}` },
    clock,
  );
}

export async function runHousekeeping(db: Queryable, clock: Clock) {
  const now = clock.nowMs();
  return {
    idempotencyKeys: await purgeExpiredKeys(db, clock),
    outbox: await pruneOutbox(db, new Date(now - RETENTION_MS.publishedOutbox)),
    processedEvents: await pruneProcessedEvents(db, new Date(now - RETENTION_MS.processedEvents)),
    jobs: await pruneFinishedJobs(db, new Date(now - RETENTION_MS.finishedJobs)),
  };
}

export function housekeepingHandler(db: Queryable, clock: Clock): JobHandler {
  return async () => {
    await runHousekeeping(db, clock);
    await scheduleHousekeeping(db, clock, HOUR_MS);
  };
}
