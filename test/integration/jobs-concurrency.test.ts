import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { openDatabase, type Database, type Db } from '../../src/platform/db/index.js';
import { enqueue, runDue, type Job } from '../../src/platform/jobs/index.js';
import { describeEachEngine } from '../support/db.js';

const JOBS = 200;
const WORKERS = 4;

describeEachEngine('jobs under concurrent workers', (ctx) => {
  const extra: Database[] = [];
  afterAll(async () => {
    await Promise.all(extra.map((d) => d.close()));
  });

  /** On PostgreSQL each worker gets its own pool on the same schema, as separate processes would. */
  async function workerDatabases(): Promise<Db[]> {
    const { db } = ctx.database;
    if (ctx.engine === 'pglite') return Array.from({ length: WORKERS }, () => db);
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    for (let i = 1; i < WORKERS; i++) {
      extra.push(
        await openDatabase({ url: process.env.TEST_DATABASE_URL, schema: rows[0]?.schema, poolSize: 3 }),
      );
    }
    return [db, ...extra.map((d) => d.db)];
  }

  it(`runs each of ${JOBS} jobs exactly once across ${WORKERS} workers`, async () => {
    const { db } = ctx.database;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const queue = 'concurrent';
    const ids = new Set<string>();
    for (let i = 0; i < JOBS; i++) ids.add(await enqueue(db, { queue, payload: { i } }, clock));

    const runs = new Map<string, number>();
    const claimedBy = new Map<string, number>();
    const handlers = {
      [queue]: async (job: Job) => {
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        // yield so claims and completions of the workers interleave
        await new Promise((resolve) => setTimeout(resolve, Number(job.payload.i) % 3));
      },
    };
    const dbs = await workerDatabases();
    await Promise.all(
      dbs.map(async (wdb, w) => {
        const workerId = `w${w}`;
        for (;;) {
          const counts = await runDue(wdb, handlers, { workerId, limit: 7, leaseMs: 60_000 }, clock);
          expect(counts.lost).toBe(0);
          claimedBy.set(workerId, (claimedBy.get(workerId) ?? 0) + counts.claimed);
          if (counts.claimed === 0) break;
        }
      }),
    );

    expect(runs.size).toBe(JOBS);
    expect([...runs.keys()].every((id) => ids.has(id))).toBe(true);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect([...claimedBy.values()].reduce((a, b) => a + b, 0)).toBe(JOBS);
    const rows = await db
      .selectFrom('jobs')
      .select(['status', 'attempts', (eb) => eb.fn.countAll<number>().as('n')])
      .where('queue', '=', queue)
      .groupBy(['status', 'attempts'])
      .execute();
    expect(rows.map((r) => ({ ...r, n: Number(r.n) }))).toEqual([{ status: 'done', attempts: 1, n: JOBS }]);
  });
});
