import { expect, it, onTestFinished, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { enqueue, getJob, startWorker, type Job } from '../../src/platform/jobs/index.js';
import { describeEachEngine } from '../support/db.js';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describeEachEngine('job worker loop', (ctx) => {
  it('drains a backlog larger than one batch without waiting for the timer', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const ids = await Promise.all(
      Array.from({ length: 7 }, (_, i) => enqueue(db, { queue: 'backlog', payload: { i } }, clock)),
    );
    const allSeen = deferred();
    const seen: string[] = [];
    const handlers = {
      backlog: async (job: Job) => {
        seen.push(job.id);
        if (seen.length === ids.length) allSeen.resolve();
      },
    };
    // the timer would only fire after an hour: everything must run in the first tick's rounds
    const worker = startWorker(db, handlers, { limit: 2, pollMs: 3_600_000 }, clock);
    await allSeen.promise;
    await worker.stop();
    expect(seen.sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await getJob(db, id))?.status).toBe('done');
  });

  it('picks up jobs enqueued later, and stop() waits for the handler in hand', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const started = deferred<string>();
    const release = deferred();
    // only the worker's poll interval is faked: the test moves it, the database keeps real time
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    onTestFinished(() => void vi.useRealTimers());
    const worker = startWorker(
      db,
      {
        slow: async (job: Job) => {
          started.resolve(job.id);
          await release.promise;
        },
      },
      { workerId: 'graceful', pollMs: 5 },
      clock,
    );
    expect(worker.workerId).toBe('graceful');
    const id = await enqueue(db, { queue: 'slow', payload: {} }, clock);
    vi.advanceTimersByTime(5);
    expect(await started.promise).toBe(id);

    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    expect((await getJob(db, id))?.status).toBe('running');
    release.resolve();
    await stopping;
    expect((await getJob(db, id))?.status).toBe('done');

    // a stopped worker claims nothing more: no poll timer of its own is left to fire
    const after = await enqueue(db, { queue: 'slow', payload: {} }, clock);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect((await getJob(db, after))?.status).toBe('queued');
  });
});
