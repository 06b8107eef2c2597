import type { Clock } from '../core/clock.js';
import { purgeExpiredKeys } from '../http/idempotency.js';
import type { Queryable } from './db/index.js';
import { enqueue, type JobHandler } from './jobs/index.js';

/** An hourly job: drops expired idempotency keys; re-schedules itself, deduplicated per hour. */

export const HOUSEKEEPING_QUEUE = 'housekeeping';
const HOUR_MS = 3_600_000;

export function scheduleHousekeeping(db: Queryable, clock: Clock, delayMs = 0): Promise<string> {
  const runAt = new Date(clock.nowMs() + delayMs);
  const bucket = Math.floor(runAt.getTime() / HOUR_MS);
  return enqueue(db, { queue: HOUSEKEEPING_QUEUE, payload: {}, runAt, dedupeKey: `housekeeping:${bucket}` }, clock);
}

export function housekeepingHandler(db: Queryable, clock: Clock): JobHandler {
  return async () => {
    await purgeExpiredKeys(db, clock);
    await scheduleHousekeeping(db, clock, HOUR_MS);
  };
}
