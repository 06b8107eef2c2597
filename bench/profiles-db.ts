import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { systemClock } from '../src/core/clock.js';
import { MemoryCache } from '../src/platform/cache/index.js';
import {
  inTransaction,
  migrateToLatest,
  openDatabase,
  type Database,
  type Db,
} from '../src/platform/db/index.js';
import { applyJournaled, BUILTIN_TAGS, compileTags, type ProfileEvent } from '../src/profiles/index.js';
import { refreshSummaries } from '../src/profiles/consumer.js';
import { appendJournal } from '../src/profiles/journal.js';
import { kyselyTx, seed, WORKERS } from './db/workload.js';
import { runWorkers } from './db/workers.js';
import { ROUNDS, SECONDS, describeRun } from './lib/config.js';
import { fmtInt, fmtRatio, median, printTable } from './lib/stats.js';
import { generateEvents } from './profiles/generate.js';
import type { DbRecomputeResult } from './profiles/recompute-db-child.js';

/**
 * The profile pipeline on PostgreSQL:
 * - the consumer's write path (journal rows + the touched states + the serving summaries, one
 *   transaction per event, in parallel under the shared journal barrier) against the raw write
 *   limit of bench/db (3-statement transaction, same workers) measured in the same run;
 * - `juhepay profiles recompute` (recomputeProfiles, in a child process for its own peak RSS)
 *   over journals of generated events, with the linearity between sizes.
 */

const RECOMPUTE_GOAL_S = 20;
const run = promisify(execFile);

function databaseUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
}

async function withSchema<T>(
  url: string,
  fn: (database: Database, schema: string) => Promise<T>,
): Promise<T> {
  const schema = `bench_profiles_${randomBytes(4).toString('hex')}`;
  const database = await openDatabase({ url, schema, poolSize: WORKERS + 2 });
  try {
    await migrateToLatest(database.db);
    return await fn(database, schema);
  } finally {
    await sql.raw(`drop schema ${schema} cascade`).execute(database.db);
    await database.close();
  }
}

/** The consumer's transaction for each event, `WORKERS` deliveries at a time. */
export async function runConsumerBench(): Promise<boolean> {
  const url = databaseUrl();
  console.log(`### profiles consumer on PostgreSQL, ${WORKERS} workers, ${describeRun()}`);
  if (!url) {
    console.log('  skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL');
    return true;
  }
  return withSchema(url, async (database) => {
    const db = database.db;
    const s = await seed(db);
    const tags = compileTags(BUILTIN_TAGS);
    const cache = new MemoryCache(systemClock);
    const events = generateEvents(10_000_000, 21);
    const consume = async () => {
      const event = events.next().value as ProfileEvent;
      const book = await inTransaction(db, (tx) => applyJournaled(tx, tags, event, systemClock.now()));
      if (book) await refreshSummaries(cache, tags, book, systemClock.nowMs());
    };
    const raw: number[] = [];
    const consumer: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      raw.push((await runWorkers(WORKERS, SECONDS, (w) => kyselyTx(db, s, w))).txPerSecond);
      consumer.push((await runWorkers(WORKERS, SECONDS, consume)).txPerSecond);
    }
    printTable(
      ['workload', 'tx /s', 'ratio to raw', 'what runs'],
      [
        ['raw', fmtInt(median(raw)), '1.00', 'bench/db: insert order, outbox event, counter'],
        [
          'consumer',
          fmtInt(median(consumer)),
          fmtRatio(median(consumer), median(raw)),
          'barrier (shared) + subject locks; journal + touched states; upsert (3 statements); summaries',
        ],
      ],
    );
    console.log(
      '  consumers append in parallel (shared barrier; a recompute takes it exclusively at its cut and switch)',
    );
    return true;
  });
}

/** Appends `count` generated events to the journal (and its subject index) in multi-row inserts. */
async function fillJournal(db: Db, from: number, count: number): Promise<void> {
  const now = new Date();
  let batch: ProfileEvent[] = [];
  let k = 0;
  for (const event of generateEvents(from + count)) {
    if (k++ < from) continue;
    batch.push(event);
    if (batch.length === 2_000) {
      await appendJournal(db, batch, now);
      batch = [];
    }
  }
  await appendJournal(db, batch, now);
}

async function recomputeChild(url: string, schema: string): Promise<DbRecomputeResult> {
  const file = fileURLToPath(new URL('./profiles/recompute-db-child.ts', import.meta.url));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file, url, schema], {
    timeout: 900_000,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as DbRecomputeResult;
}

/** Recomputes journals of the given sizes (growing one journal), each in its own process. */
export async function runRecomputeBench(sizes: readonly number[]): Promise<boolean> {
  const url = databaseUrl();
  console.log(
    `### profiles recompute on PostgreSQL (recomputeProfiles, own process), ${sizes.map(fmtInt).join(' / ')} events`,
  );
  if (!url) {
    console.log('  skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL');
    return true;
  }
  return withSchema(url, async (database, schema) => {
    const results: DbRecomputeResult[] = [];
    let filled = 0;
    for (const size of sizes) {
      const t = performance.now();
      await fillJournal(database.db, filled, size - filled);
      console.log(
        `  journal filled to ${fmtInt(size)} in ${((performance.now() - t) / 1000).toFixed(1)} s (not timed below)`,
      );
      filled = size;
      results.push(await recomputeChild(url, schema));
    }
    printTable(
      [
        'events',
        'wall s',
        'cpu s',
        'server cpu s',
        'events/s',
        'replay s',
        'read wait s',
        'write wait s',
        'switch s',
        'subjects',
        'states',
        'RSS at 25/50/75/100 %',
        'peak RSS',
      ],
      results.map((r) => [
        fmtInt(r.events),
        r.seconds.toFixed(2),
        r.cpuSeconds.toFixed(2),
        r.serverCpuSeconds === undefined ? 'n/a' : r.serverCpuSeconds.toFixed(2),
        fmtInt(r.events / r.seconds),
        r.replay.toFixed(2),
        r.readWait.toFixed(2),
        r.writeWait.toFixed(2),
        r.switch.toFixed(2),
        fmtInt(r.subjects),
        fmtInt(r.states),
        r.rssAtQuarters.join(' / '),
        `${fmtInt(r.peakRssMb)} MiB`,
      ]),
    );
    const first = results[0];
    const last = results[results.length - 1];
    if (first && last && last !== first) {
      const scale = last.events / first.events;
      console.log(
        `  linearity ${fmtInt(first.events)} -> ${fmtInt(last.events)} (x${scale}): wall x${(last.seconds / first.seconds).toFixed(2)}, cpu x${(last.cpuSeconds / first.cpuSeconds).toFixed(2)}${last.serverCpuSeconds && first.serverCpuSeconds ? `, server cpu x${(last.serverCpuSeconds / first.serverCpuSeconds).toFixed(2)}` : ''}; peak RSS x${(last.peakRssMb / first.peakRssMb).toFixed(2)}`,
      );
    }
    if (last)
      console.log(
        `  recompute of ${fmtInt(last.events)}: ${last.seconds.toFixed(1)} s; goal <= ${RECOMPUTE_GOAL_S} s: ${last.seconds <= RECOMPUTE_GOAL_S ? 'met' : 'NOT met'}`,
      );
    return true;
  });
}
