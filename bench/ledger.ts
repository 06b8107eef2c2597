import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { systemClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { DEMO_PLAN, DEMO_PRICING, putFeePlan, putPricing, splitFee } from '../src/fees/index.js';
import {
  accountTotals,
  bookingJob,
  bookQueued,
  checkedPostings,
  merchantAccounts,
  postEntry,
  postingRules,
  postingTotals,
} from '../src/ledger/index.js';
import { createServiceProvider } from '../src/merchants/tenancy.js';
import {
  inTransaction,
  migrateToLatest,
  openDatabase,
  type Database,
  type Db,
} from '../src/platform/db/index.js';
import { runWorkers } from './db/workers.js';
import { WORKERS, kyselyTx, seed } from './db/workload.js';
import { ROUNDS, SECONDS, describeRun } from './lib/config.js';
import { fmtInt, fmtRatio, fmtWholeMs, median, percentile, printTable } from './lib/stats.js';

/**
 * Postings into ONE hot merchant account, against the raw write limit measured in the same run:
 *  - raw: the 3-statement write transaction of bench/db (insert order, outbox event, counter);
 *  - ledger: a payment's journal entry for the same merchant every time (entry, 5 postings,
 *    cached balances in shards by entry id), 8 writers at once;
 *  - ledger-1row: the same statements with each account's balance on a single row: what the
 *    shards avoid (every writer queues on the merchant's row);
 *  - ledger-batch: the booking consumer (how payments are booked): one consumer taking batches
 *    of 500 queued payment entries for the same merchant, each batch one transaction.
 * At the end the cached balances are checked against the postings, and the hot merchant's
 * pending balance against the entries written.
 */

interface Engine {
  name: string;
  open(): Promise<Database>;
  cleanup?(database: Database): Promise<void>;
}

const AMOUNT = 10_000;
const SPLIT = splitFee(AMOUNT, {
  rate: 3000,
  costRate: 2000,
  shares: { service_provider: 500_000, bank: 300_000 },
  hasProvider: true,
});

function paymentDraft(merchantId: string, parties: { institutionId: string; serviceProviderId: string }) {
  return postingRules.paymentSucceeded({
    orderId: newId('order'),
    merchantId,
    channel: 'wechatpay',
    amount: AMOUNT,
    split: SPLIT,
    parties,
  });
}

/** The store's own statements, with every balance of an account on one row (no shards). */
async function postOneRow(db: Db, draft: ReturnType<typeof paymentDraft>): Promise<void> {
  await inTransaction(db, (tx) => postEntry(tx, draft, systemClock.now(), 1));
}

async function runEngine(engine: Engine): Promise<string[][]> {
  const database = await engine.open();
  const db = database.db;
  await migrateToLatest(db);
  const s = await seed(db);
  const merchant = await db
    .selectFrom('merchants')
    .selectAll()
    .where('id', '=', s.merchantId)
    .executeTakeFirstOrThrow();
  const provider = await createServiceProvider(db, merchant.institution_id, 'Bench ISV', systemClock);
  const parties = { institutionId: merchant.institution_id, serviceProviderId: provider.id };
  // the 1-row variant writes to another merchant, so the two never share balance rows
  const other = `${s.merchantId.slice(0, -4)}zzzz`;
  const postingsPerEntry = checkedPostings(paymentDraft(s.merchantId, parties)).length;

  const results: Record<string, { tps: number[]; p99: number[] }> = {
    raw: { tps: [], p99: [] },
    ledger: { tps: [], p99: [] },
    'ledger-1row': { tps: [], p99: [] },
    'ledger-batch': { tps: [], p99: [] },
  };
  let hotEntries = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const raw = await runWorkers(WORKERS, SECONDS, (w) => kyselyTx(db, s, w));
    const ledger = await runWorkers(WORKERS, SECONDS, () =>
      inTransaction(db, (tx) => postEntry(tx, paymentDraft(s.merchantId, parties), systemClock.now())).then(
        () => undefined,
      ),
    );
    hotEntries += ledger.committed;
    const oneRow = await runWorkers(WORKERS, SECONDS, () => postOneRow(db, paymentDraft(other, parties)));
    // the consumer's supply: more queued entries than it can book in the round (checked below);
    // 40 000 ran out on a quiet machine with PostgreSQL (over 8 000 entries/s)
    const supply = 25_000 * SECONDS;
    for (let i = 0; i < supply; i += 1000) {
      const at = systemClock.now();
      await db
        .insertInto('jobs')
        .values(Array.from({ length: 1000 }, () => bookingJob(paymentDraft(s.merchantId, parties), at)))
        .execute();
    }
    let booked = 0;
    const batchRound = await runWorkers(1, SECONDS, async () => {
      booked += await bookQueued(db, { clock: systemClock });
    });
    if (booked >= supply) throw new Error(`${engine.name}: ledger-batch ran out of queued entries`);
    hotEntries += booked;
    const left = await sql<{
      n: number;
    }>`select count(*)::int as n from jobs where queue = 'ledger.book' and status = 'queued'`.execute(db);
    hotEntries += left.rows[0]!.n;
    while ((await bookQueued(db, { clock: systemClock })) > 0); // the rest, for the checks below
    // entries per second: the round's rate is in batches; scale by what it booked
    const batch = { ...batchRound, txPerSecond: (booked / batchRound.committed) * batchRound.txPerSecond };
    for (const [name, r] of [
      ['raw', raw],
      ['ledger', ledger],
      ['ledger-1row', oneRow],
      ['ledger-batch', batch],
    ] as const) {
      if (r.failures > 0)
        throw new Error(`${engine.name} ${name}: ${r.failures} failures, first: ${r.firstFailure}`);
      results[name]!.tps.push(r.txPerSecond);
      results[name]!.p99.push(percentile(r.latencies, 99));
    }
    console.log(
      `  round ${round} ${engine.name.padEnd(8)} raw ${fmtInt(raw.txPerSecond)}/s  ledger ${fmtInt(ledger.txPerSecond)} entries/s  ledger-1row ${fmtInt(oneRow.txPerSecond)} entries/s  ledger-batch ${fmtInt(batch.txPerSecond)} entries/s`,
    );
  }
  // the cache is exact: every account's shards add up to its postings; the hot merchant holds
  // exactly what was written
  const cached = JSON.stringify(await accountTotals(db));
  const recomputed = JSON.stringify(await postingTotals(db));
  if (cached !== recomputed) throw new Error(`${engine.name}: cached balances differ from the postings`);
  const pending = (await accountTotals(db)).find((a) => a.account === merchantAccounts(s.merchantId).pending);
  if ((pending?.credit ?? 0) !== hotEntries * (AMOUNT - SPLIT.fee))
    throw new Error(
      `${engine.name}: the hot merchant holds ${pending?.credit}, expected ${hotEntries * (AMOUNT - SPLIT.fee)}`,
    );
  console.log(
    `  ${engine.name}: cached balances = postings; hot merchant = ${fmtInt(hotEntries)} entries exactly`,
  );

  await engine.cleanup?.(database);
  await database.close();
  const rawTps = median(results.raw!.tps);
  return (['raw', 'ledger', 'ledger-1row', 'ledger-batch'] as const).map((name) => {
    const tps = median(results[name]!.tps);
    return [
      engine.name,
      name,
      fmtInt(tps),
      name === 'raw' ? '' : fmtInt(tps * postingsPerEntry),
      fmtWholeMs(median(results[name]!.p99)),
      fmtRatio(tps, rawTps),
    ];
  });
}

export async function runLedgerBench(): Promise<boolean> {
  console.log(`## ledger: ${WORKERS} writers into ONE merchant account, ${describeRun()}`);
  const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  const engines: Engine[] = [{ name: 'pglite', open: () => openDatabase({}) }];
  if (url) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    engines.push({
      name: 'postgres',
      open: () => openDatabase({ url, schema, poolSize: WORKERS + 2 }),
      cleanup: async (database) => {
        await sql.raw(`drop schema ${schema} cascade`).execute(database.db);
      },
    });
  } else console.log('  (set BENCH_DATABASE_URL or TEST_DATABASE_URL to include PostgreSQL)');
  const rows: string[][] = [];
  for (const engine of engines) rows.push(...(await runEngine(engine)));
  printTable(['engine', 'workload', 'tx /s', 'postings /s', 'median p99', 'ratio to raw'], rows);
  return true;
}

/** Fees for the payments bench: the demo's pricing, so its notify books a full entry. */
export async function installBenchPricing(db: Db, institutionId: string): Promise<void> {
  const now = systemClock.now();
  await putPricing(db, 'default', DEMO_PRICING, now);
  await putFeePlan(db, institutionId, DEMO_PLAN, now);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runLedgerBench().then(
    (ok) => process.exit(ok ? 0 : 1),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
