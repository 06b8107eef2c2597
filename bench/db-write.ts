import { ROUNDS, SECONDS, WARMUP_SECONDS, describeRun } from './lib/config.js';
import {
  fmtInt,
  fmtMs,
  fmtPct,
  fmtRatio,
  median,
  noisyMachineNote,
  percentile,
  printTable,
} from './lib/stats.js';
import { describePostgres, pgliteDisk, pgliteMemory, postgres, type Engine } from './db/engines.js';
import { runWorkers, type WorkerRound } from './db/workers.js';
import { WORKERS, verify } from './db/workload.js';

/**
 * One 3-statement write transaction (order insert, outbox event, counter update) with WORKERS
 * concurrent workers, on PGlite in memory, PGlite on disk and, when a URL is set, PostgreSQL
 * through Kysely and through raw pg with named prepared statements (the in-run limit).
 */

interface Measured {
  engine: Engine;
  rounds: WorkerRound[];
  failures: number;
  firstFailure: string | undefined;
}

export async function runDbBench(): Promise<boolean> {
  const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  console.log(
    `## db-write: ${WORKERS} workers, 3-statement transaction, ${describeRun()}, engines interleaved`,
  );
  const measured: Measured[] = [];
  const problems: string[] = [];
  try {
    for (const open of [pgliteMemory, pgliteDisk]) {
      for (const engine of await open())
        measured.push({ engine, rounds: [], failures: 0, firstFailure: undefined });
    }
    if (url) {
      const engines = await postgres(url);
      for (const engine of engines)
        measured.push({ engine, rounds: [], failures: 0, firstFailure: undefined });
      if (engines[0]) console.log(`postgres: ${await describePostgres(engines[0].store.db)}`);
    } else {
      console.log('postgres: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL to include it)');
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const m of measured) {
        await measure(m, WARMUP_SECONDS); // discarded, but its commits and failures still count
        const result = await measure(m, SECONDS);
        m.rounds.push(result);
        console.log(
          `  round ${round} ${m.engine.name.padEnd(15)} ${fmtInt(result.txPerSecond).padStart(6)} tx/s  ` +
            `p50 ${fmtMs(percentile(result.latencies, 50))}  p99 ${fmtMs(percentile(result.latencies, 99))}  ` +
            `cpu: bench ${fmtPct(result.cpu)} rest ${fmtPct(result.restCpu)}`,
        );
      }
    }
    for (const store of new Set(measured.map((m) => m.engine.store))) {
      for (const p of await verify(store.db, store.committed)) problems.push(`${store.label} ${p}`);
    }
  } finally {
    for (const store of new Set(measured.map((m) => m.engine.store))) await store.close();
  }
  return report(measured, problems);
}

async function measure(m: Measured, seconds: number): Promise<WorkerRound> {
  const result = await runWorkers(WORKERS, seconds, (w) => m.engine.tx(w));
  m.engine.store.committed += result.committed;
  m.failures += result.failures;
  m.firstFailure ??= result.firstFailure;
  return result;
}

function report(measured: Measured[], problems: string[]): boolean {
  const tps = (name: string) =>
    median(measured.find((m) => m.engine.name === name)?.rounds.map((r) => r.txPerSecond) ?? []);
  console.log('');
  printTable(
    ['engine', 'median tx/s', 'p50', 'p99', 'bench cpu', 'rest cpu', 'failures'],
    measured.map((m) => [
      m.engine.name,
      fmtInt(median(m.rounds.map((r) => r.txPerSecond))),
      fmtMs(median(m.rounds.map((r) => percentile(r.latencies, 50)))),
      fmtMs(median(m.rounds.map((r) => percentile(r.latencies, 99)))),
      fmtPct(median(m.rounds.map((r) => r.cpu))),
      fmtPct(median(m.rounds.map((r) => r.restCpu))),
      String(m.failures),
    ]),
  );
  console.log('');
  console.log(
    `ratio pglite-disk / pglite-memory        = ${fmtRatio(tps('pglite-disk'), tps('pglite-memory'))}`,
  );
  if (measured.some((m) => m.engine.name === 'postgres-kysely')) {
    console.log(
      `ratio pglite-memory / postgres-kysely    = ${fmtRatio(tps('pglite-memory'), tps('postgres-kysely'))}`,
    );
    console.log(
      `ratio pglite-disk / postgres-kysely      = ${fmtRatio(tps('pglite-disk'), tps('postgres-kysely'))}`,
    );
    console.log(
      `ratio postgres-kysely / postgres-raw-pg  = ${fmtRatio(tps('postgres-kysely'), tps('postgres-raw-pg'))}`,
    );
  }
  console.log(
    'earlier reference on this machine: ~1,300 tx/s PGlite, ~3,100 tx/s PostgreSQL 15 via pg named statements, 8 workers',
  );
  // rest cpu includes the PostgreSQL server itself, so only PGlite rounds tell about other jobs
  const pglite = measured.filter((m) => m.engine.name.startsWith('pglite'));
  const noisy = noisyMachineNote(pglite.flatMap((m) => m.rounds.map((r) => r.restCpu)));
  if (noisy) console.log(noisy);
  for (const m of measured.filter((x) => x.failures > 0)) {
    problems.push(`${m.engine.name}: ${m.failures} failed transactions, first: ${m.firstFailure}`);
  }
  for (const p of problems) console.log(`!!! ERRORS: ${p}`);
  if (problems.length > 0) console.log('!!! db-write FAILED: the figures above are not valid');
  else
    console.log(
      'verified: every store holds exactly one order, one outbox event and one counter bump per committed transaction',
    );
  return problems.length === 0;
}
