import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { inTransaction } from '../../src/platform/db/index.js';
import { claimKey } from '../../src/platform/idempotency.js';
import {
  housekeepingHandler,
  HOUSEKEEPING_QUEUE,
  RETENTION_MS,
  runHousekeeping,
  scheduleHousekeeping,
} from '../../src/platform/housekeeping.js';
import { enqueue, getJob, runDue } from '../../src/platform/jobs/index.js';
import { relayOnce, writeEvent } from '../../src/platform/outbox/index.js';
import { MemoryStream } from '../../src/platform/stream/index.js';
import { describeEachEngine } from '../support/db.js';

const DAY = 24 * 3600 * 1000;

describeEachEngine('housekeeping', (ctx) => {
  it('drops only what is past its retention', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const stream = new MemoryStream({ clock });
    await claimKey(db, 'app_x', 'old-key', 'h', clock);
    await inTransaction(db, (tx) => writeEvent(tx, { topic: 'test.old', payload: {} }, clock));
    await relayOnce(db, stream, { batch: 10, clock });
    const doneJob = await enqueue(db, { queue: 'noop', payload: {} }, clock);
    await runDue(db, { noop: async () => undefined }, { workerId: 'w', limit: 10, leaseMs: 1000 }, clock);
    const queuedJob = await enqueue(
      db,
      { queue: 'later', payload: {}, runAt: new Date(clock.nowMs() + 60 * DAY) },
      clock,
    );

    expect(await runHousekeeping(db, clock)).toEqual({
      idempotencyKeys: 0,
      outbox: 0,
      processedEvents: 0,
      jobs: 0,
    });

    clock.advance(RETENTION_MS.finishedJobs + 1000); // past every retention but processed events
    const removed = await runHousekeeping(db, clock);
    expect(removed).toMatchObject({ idempotencyKeys: 1, outbox: 1, jobs: 1 });
    expect(await getJob(db, doneJob)).toBeUndefined();
    expect((await getJob(db, queuedJob))?.status).toBe('queued'); // not finished: kept
    await stream.close();
  });

  it('reschedules itself once per hour, however many workers run it', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(Date.UTC(2026, 1, 1, 10, 30));
    const first = await scheduleHousekeeping(db, clock);
    expect(await scheduleHousekeeping(db, clock)).toBe(first); // deduplicated within the hour
    const handlers = { [HOUSEKEEPING_QUEUE]: housekeepingHandler(db, clock) };
    const counts = await runDue(
      db,
      handlers,
      { workerId: 'a', limit: 10, leaseMs: 1000, queues: [HOUSEKEEPING_QUEUE] },
      clock,
    );
    expect(counts.done).toBe(1);
    const next = await db
      .selectFrom('jobs')
      .selectAll()
      .where('queue', '=', HOUSEKEEPING_QUEUE)
      .where('status', '=', 'queued')
      .execute();
    expect(next).toHaveLength(1);
    expect(next[0]!.run_at.getTime()).toBe(clock.nowMs() + 3_600_000);
  });
});
