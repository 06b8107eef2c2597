import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { isId } from '../../src/core/ids.js';
import { inTransaction } from '../../src/platform/db/index.js';
import {
  claim,
  complete,
  enqueue,
  fail,
  getJob,
  MAX_ERROR_LENGTH,
  PermanentJobError,
  RetryJob,
  runDue,
  scheduleBackoff,
  type Job,
} from '../../src/platform/jobs/index.js';
import { describeEachEngine } from '../support/db.js';

const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms);
let queueSeq = 0;
/** each test uses its own queue so tests sharing one database never see each other's jobs */
const freshQueue = () => `q${++queueSeq}`;

describeEachEngine('jobs', (ctx) => {
  const run = { workerId: 'w1', limit: 10, leaseMs: 30_000 };

  it('enqueues a queued job with defaults and runs it only once it is due', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(T0);
    const queue = freshQueue();
    const now = await enqueue(db, { queue, payload: { n: 1 } }, clock);
    const later = await enqueue(db, { queue, payload: { n: 2 }, runAt: at(60_000), maxAttempts: 3 }, clock);
    expect(isId('job', now)).toBe(true);
    const row = await getJob(db, later);
    expect(row).toMatchObject({ queue, payload: { n: 2 }, status: 'queued', attempts: 0, max_attempts: 3 });
    expect(row?.run_at).toEqual(at(60_000));

    const seen: unknown[] = [];
    const handlers = { [queue]: async (job: Job) => void seen.push(job.payload.n) };
    expect(await runDue(db, handlers, run, clock)).toEqual({
      claimed: 1,
      done: 1,
      retried: 0,
      failed: 0,
      lost: 0,
    });
    clock.advance(59_999);
    expect((await runDue(db, handlers, run, clock)).claimed).toBe(0);
    clock.advance(1);
    expect((await runDue(db, handlers, run, clock)).done).toBe(1);
    expect(seen).toEqual([1, 2]);
    expect(await getJob(db, later)).toMatchObject({
      status: 'done',
      attempts: 1,
      locked_by: null,
      locked_until: null,
    });
    expect((await getJob(db, later))?.updated_at).toEqual(at(60_000));
  });

  it('claims in run_at order up to the limit, with a lease from the clock', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(T0);
    const queue = freshQueue();
    const ids = [];
    for (const offset of [3, 1, 2])
      ids.push(await enqueue(db, { queue, payload: {}, runAt: at(-offset) }, clock));
    const jobs = await claim(db, { queues: [queue], limit: 2, workerId: 'w1', leaseMs: 5_000 }, clock);
    expect(jobs.map((j) => j.id)).toEqual([ids[0], ids[2]]);
    for (const job of jobs) expect(job).toMatchObject({ status: 'running', attempts: 1, locked_by: 'w1' });
    expect(jobs[0]?.locked_until).toEqual(at(5_000));
    expect(
      await claim(db, { queues: [queue], limit: 5, workerId: 'w2', leaseMs: 5_000 }, clock),
    ).toHaveLength(1);
    expect(await claim(db, { queues: [], limit: 5, workerId: 'w2', leaseMs: 5_000 }, clock)).toEqual([]);
  });

  it('retries on the backoff schedule, then fails for good at max_attempts', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(T0);
    const queue = freshQueue();
    const id = await enqueue(db, { queue, payload: {}, maxAttempts: 4 }, clock);
    const handlers = { [queue]: async () => Promise.reject(new Error('channel timeout')) };
    // 5 s, 10 s, 20 s after each failed attempt
    for (const delay of [5_000, 10_000, 20_000]) {
      expect(await runDue(db, handlers, run, clock)).toMatchObject({ claimed: 1, retried: 1 });
      const row = await getJob(db, id);
      expect(row).toMatchObject({ status: 'queued', last_error: 'Error: channel timeout', locked_by: null });
      expect(row?.run_at).toEqual(new Date(clock.nowMs() + delay));
      clock.advance(delay - 1);
      expect((await runDue(db, handlers, run, clock)).claimed).toBe(0);
      clock.advance(1);
    }
    expect(await runDue(db, handlers, run, clock)).toMatchObject({ claimed: 1, failed: 1 });
    expect(await getJob(db, id)).toMatchObject({
      status: 'failed',
      attempts: 4,
      last_error: 'Error: channel timeout',
    });
    clock.advance(86_400_000);
    expect((await runDue(db, handlers, run, clock)).claimed).toBe(0);
  });

  it('lets a handler pick the delay, a queue its schedule, and a permanent error stop retries', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(T0);
    const [a, b, c, d] = [freshQueue(), freshQueue(), freshQueue(), freshQueue()];
    const ids = await Promise.all([a, b, c, d].map((queue) => enqueue(db, { queue, payload: {} }, clock)));
    await runDue(
      db,
      {
        [a]: async () => ({ retryInMs: 7_000, reason: 'USERPAYING' }),
        [b]: async () => Promise.reject(new RetryJob(42_000)),
        [c]: {
          handle: async () => Promise.reject(new Error('503')),
          backoff: scheduleBackoff([15_000, 60_000]),
        },
        [d]: async () => Promise.reject(new PermanentJobError('order gone')),
      },
      run,
      clock,
    );
    const rows = await Promise.all(ids.map((id) => getJob(db, id)));
    expect(rows.map((r) => r?.status)).toEqual(['queued', 'queued', 'queued', 'failed']);
    expect(rows.map((r) => r?.run_at.getTime())).toEqual([T0 + 7_000, T0 + 42_000, T0 + 15_000, T0]);
    expect(rows.map((r) => r?.last_error)).toEqual([
      'USERPAYING',
      'RetryJob: retry requested in 42000 ms',
      'Error: 503',
      'PermanentJobError: order gone',
    ]);
  });

  it('fails a job whose queue has no handler, with a clear error', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(T0);
    const queue = freshQueue();
    const id = await enqueue(db, { queue, payload: {}, maxAttempts: 1 }, clock);
    const counts = await runDue(db, {}, { ...run, queues: [queue] }, clock);
    expect(counts).toMatchObject({ claimed: 1, failed: 1 });
    expect(await getJob(db, id)).toMatchObject({
      status: 'failed',
      last_error: `Error: no handler for queue "${queue}"`,
    });
  });

  it('truncates a long error', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(T0);
    const queue = freshQueue();
    const id = await enqueue(db, { queue, payload: {} }, clock);
    const [job] = await claim(db, { queues: [queue], limit: 1, workerId: 'w1', leaseMs: 1_000 }, clock);
    expect(await fail(db, job!, 'x'.repeat(10_000), clock)).toBe('retry');
    const row = await getJob(db, id);
    expect(row?.last_error).toHaveLength(MAX_ERROR_LENGTH);
    expect(row?.last_error?.endsWith('…')).toBe(true);
  });

  it('dedupes by key, returning the first job id', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(T0);
    const queue = freshQueue();
    const key = `notify:${queue}`;
    const first = await enqueue(db, { queue, payload: { v: 1 }, dedupeKey: key }, clock);
    const again = await enqueue(db, { queue, payload: { v: 2 }, dedupeKey: key }, clock);
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => enqueue(db, { queue, payload: {}, dedupeKey: `${key}:c` }, clock)),
    );
    expect(again).toBe(first);
    expect(new Set(concurrent).size).toBe(1);
    const rows = await db.selectFrom('jobs').select(['id', 'payload']).where('queue', '=', queue).execute();
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.id === first)?.payload).toEqual({ v: 1 });
  });

  it('commits a job with the caller’s transaction and drops it on rollback', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(T0);
    const queue = freshQueue();
    const kept = await inTransaction(db, (tx) => enqueue(tx, { queue, payload: { kept: true } }, clock));
    await expect(
      inTransaction(db, async (tx) => {
        await enqueue(tx, { queue, payload: { kept: false }, dedupeKey: `rb:${queue}` }, clock);
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    const rows = await db.selectFrom('jobs').select('id').where('queue', '=', queue).execute();
    expect(rows.map((r) => r.id)).toEqual([kept]);
    // the rolled-back key is free again
    expect(
      await getJob(db, await enqueue(db, { queue, payload: {}, dedupeKey: `rb:${queue}` }, clock)),
    ).toBeDefined();
  });

  it('reclaims an expired lease, and refuses the stale worker’s result', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(T0);
    const queue = freshQueue();
    const id = await enqueue(db, { queue, payload: {} }, clock);
    const opts = { queues: [queue], limit: 1, leaseMs: 30_000 };
    const [stale] = await claim(db, { ...opts, workerId: 'crashed' }, clock);
    clock.advance(30_000); // lease ends at exactly now: still held
    expect(await claim(db, { ...opts, workerId: 'w2' }, clock)).toEqual([]);
    clock.advance(1);
    const [fresh] = await claim(db, { ...opts, workerId: 'w2' }, clock);
    expect(fresh).toMatchObject({ id, attempts: 2, locked_by: 'w2' });
    expect(await complete(db, stale!, clock)).toBe(false);
    expect(await fail(db, stale!, new Error('late'), clock)).toBe('lost');
    expect(await getJob(db, id)).toMatchObject({ status: 'running', locked_by: 'w2', last_error: null });
    expect(await complete(db, fresh!, clock)).toBe(true);
    expect(await complete(db, fresh!, clock)).toBe(false);
    expect(await getJob(db, id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('treats a re-claim by the same worker id as a new owner', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(T0);
    const queue = freshQueue();
    await enqueue(db, { queue, payload: {} }, clock);
    const opts = { queues: [queue], limit: 1, leaseMs: 1_000, workerId: 'same' };
    const [first] = await claim(db, opts, clock);
    clock.advance(1_001);
    const [second] = await claim(db, opts, clock);
    expect(await complete(db, first!, clock)).toBe(false);
    expect(await complete(db, second!, clock)).toBe(true);
  });

  it('rejects bad enqueue input', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(T0);
    await expect(enqueue(db, { queue: '', payload: {} }, clock)).rejects.toThrow(/queue/);
    await expect(enqueue(db, { queue: 'x', payload: {}, maxAttempts: 0 }, clock)).rejects.toThrow(
      /maxAttempts/,
    );
    await expect(enqueue(db, { queue: 'x', payload: {}, runAt: new Date(NaN) }, clock)).rejects.toThrow(
      /runAt/,
    );
  });
});
