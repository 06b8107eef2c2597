import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { ManualClock } from '../src/core/clock.js';
import { accountTotals } from '../src/ledger/index.js';
import { migrateToLatest, openDatabase, type Database } from '../src/platform/db/index.js';
import { generateMasterKey, SecretBox } from '../src/platform/secret-box.js';
import { runPayouts, settleTradeDate } from '../src/settlement/index.js';

/**
 * Settlement of one trade date of BENCH_SETTLE_ORDERS (1 000 000) succeeded orders and a tenth as
 * many refunds, over BENCH_SETTLE_MERCHANTS (1 000) merchants, on PostgreSQL
 * (BENCH_DATABASE_URL or TEST_DATABASE_URL; without one, PGlite with a tenth of the orders).
 * Timed: `settleTradeDate` (aggregation in SQL, one settlement + ledger entry + event per
 * merchant) and the payout run that follows. Reference in the same run: the bare scan of the
 * day's orders (count and sum over the same time range), the floor of any SQL aggregation.
 * Peak RSS is sampled every 50 ms. Checked: Σ net = Σ(amount − fee) − Σ(refund − fee_refunded)
 * and the trial balance stays balanced. Goal: settlement ≤ 30 s, memory flat.
 * Run alone: `npm run bench -- settlement`.
 */

const GOAL_S = 30;
const DAY = '2026-12-03'; // a Thursday: settles on Friday 12-04
const START = `${DAY}T00:00:00+08:00`;

function env(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw ? Number(raw) : fallback;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; peakMiB: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  const t0 = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, seconds: (performance.now() - t0) / 1000, peakMiB: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

async function seed(database: Database, orders: number, merchants: number, box: SecretBox) {
  const db = database.db;
  const now = new Date(START);
  await sql`insert into institutions (id, name, created_at) values ('ins_bench', 'Bench Bank', ${now})`.execute(
    db,
  );
  await sql`
    insert into merchants (id, institution_id, name, status, created_at)
    select 'mch_b' || lpad(g::text, 8, '0'), 'ins_bench', 'Bench ' || g, 'active', ${now}
    from generate_series(1, ${merchants}) g`.execute(db);
  await sql`
    insert into apps (id, merchant_id, name, secret_ciphertext, status, created_at)
    select 'app_b' || lpad(g::text, 8, '0'), 'mch_b' || lpad(g::text, 8, '0'), 'bench', 'x', 'active', ${now}
    from generate_series(1, ${merchants}) g`.execute(db);
  // every merchant's settlement account, sealed as onboarding seals it
  const rows = [];
  for (let g = 1; g <= merchants; g++) {
    const id = `apl_b${String(g).padStart(8, '0')}`;
    const kyc = {
      settlement_account: {
        bank_name: '中国工商银行',
        account_name: `Bench ${g}`,
        account_no: `62220200${String(g).padStart(8, '0')}`,
      },
    };
    rows.push({
      id,
      merchant_id: `mch_b${String(g).padStart(8, '0')}`,
      status: 'approved' as const,
      kyc: '{}',
      kyc_ciphertext: box.seal(JSON.stringify(kyc), `onboarding:${id}`),
      created_at: now,
      updated_at: now,
    });
  }
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('onboarding_applications')
      .values(rows.slice(i, i + 500))
      .execute();
  // the day's orders, spread over its 24 hours; fee 0.30 % (half up); every 97th flagged for review
  await sql`
    insert into orders (id, app_id, merchant_id, mch_order_no, amount, currency, subject, status, fee,
                        metadata, expires_at, paid_at, created_at, updated_at, risk_flag)
    select 'ord_b' || lpad(g::text, 10, '0'), 'app_b' || lpad(m::text, 8, '0'), 'mch_b' || lpad(m::text, 8, '0'),
           'o' || g, a, 'CNY', 'bench', 'succeeded', (a * 3000 + 500000) / 1000000, '{}',
           t, t, t, t, case when g % 97 = 0 and m % 50 = 0 then 'review' end
    from (select g, 1 + (g % ${merchants}) as m, 100 + (g::bigint * 7919) % 100000 as a,
                 ${now}::timestamptz + ((g % 86400) || ' seconds')::interval as t
          from generate_series(1, ${orders}) g) s`.execute(db);
  await sql`
    insert into refunds (id, order_id, app_id, merchant_id, mch_refund_no, amount, status, request_hash,
                         created_at, updated_at, succeeded_at, fee_refunded)
    select 'rfd_b' || lpad(g::text, 10, '0'), 'ord_b' || lpad(g::text, 10, '0'), 'app_b' || lpad(m::text, 8, '0'),
           'mch_b' || lpad(m::text, 8, '0'), 'r', a / 2, 'succeeded', 'x', t, t, t, ((a * 3000 + 500000) / 1000000) / 2
    from (select g, 1 + (g % ${merchants}) as m, 100 + (g::bigint * 7919) % 100000 as a,
                 ${now}::timestamptz + ((g % 86400) || ' seconds')::interval + interval '1 second' as t
          from generate_series(10, ${orders}, 10) g) s
    where s.t < ${new Date(new Date(START).getTime() + 86_400_000)}`.execute(db);
  await sql`analyze orders`.execute(db);
  await sql`analyze refunds`.execute(db);
}

export async function runSettlementBench(): Promise<boolean> {
  const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  const orders = env('BENCH_SETTLE_ORDERS', url ? 1_000_000 : 100_000);
  const merchants = env('BENCH_SETTLE_MERCHANTS', 1_000);
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  console.log(
    `## settlement: ${orders.toLocaleString('en')} orders, ${merchants} merchants, trade date ${DAY}`,
  );
  if (!url)
    console.log(
      '  (no BENCH_DATABASE_URL / TEST_DATABASE_URL: PGlite with a tenth of the orders; the goal is for PostgreSQL)',
    );
  const database = url ? await openDatabase({ url, schema, poolSize: 4 }) : await openDatabase({});
  const box = new SecretBox(generateMasterKey());
  const clock = new ManualClock(Date.parse('2026-12-04T06:00:00+08:00'));
  try {
    await migrateToLatest(database.db);
    const s0 = performance.now();
    await seed(database, orders, merchants, box);
    console.log(`  seeded in ${((performance.now() - s0) / 1000).toFixed(1)} s (not timed)`);
    const { start, end } = { start: new Date(START), end: new Date(new Date(START).getTime() + 86_400_000) };
    const rssBefore = process.memoryUsage.rss() / 2 ** 20;
    const scan = await timed(() =>
      sql`select count(*), sum(amount) from orders where status = 'succeeded' and paid_at >= ${start} and paid_at < ${end}`.execute(
        database.db,
      ),
    );
    const settle = await timed(() => settleTradeDate({ db: database.db, clock }, DAY));
    const payouts = await timed(() => runPayouts({ db: database.db, clock, box }, '2026-12-04'));
    // — checks —
    const expected = await sql<{ net: string }>`
      select (select sum(amount - fee) from orders where paid_at >= ${start} and paid_at < ${end})
           - (select coalesce(sum(amount - fee_refunded), 0) from refunds where succeeded_at >= ${start} and succeeded_at < ${end}) as net`.execute(
      database.db,
    );
    const net = Number(expected.rows[0]!.net);
    const ok = settle.value.net === net && settle.value.orders === orders;
    const totals = await accountTotals(database.db);
    const debit = totals.reduce((a, t) => a + t.debit, 0);
    const credit = totals.reduce((a, t) => a + t.credit, 0);
    console.log(`  reference: scan of the day's orders   ${scan.seconds.toFixed(2)} s`);
    console.log(
      `  settlement: ${settle.seconds.toFixed(2)} s for ${settle.value.merchants} merchants (${settle.value.held} held), ${settle.value.orders.toLocaleString('en')} orders, ${settle.value.refunds.toLocaleString('en')} refunds — ${(settle.seconds / scan.seconds).toFixed(1)}× the scan, ${(settle.seconds / GOAL_S).toFixed(2)} of the ${GOAL_S} s goal`,
    );
    console.log(
      `  payouts:    ${payouts.seconds.toFixed(2)} s, ${payouts.value.created} payouts, ${payouts.value.skipped.length} skipped`,
    );
    console.log(
      `  peak RSS:   ${settle.peakMiB.toFixed(0)} MiB during settlement, ${payouts.peakMiB.toFixed(0)} MiB during payouts (${rssBefore.toFixed(0)} MiB before): one row per merchant in memory, not per order`,
    );
    console.log(
      `  checks:     Σ net ${ok ? '=' : '≠'} Σ(amount − fee) − Σ(refund − fee_refunded) (${net}); trial balance ${debit === credit ? 'balanced' : 'NOT BALANCED'}`,
    );
    return ok && debit === credit && (url ? settle.seconds <= GOAL_S : true);
  } finally {
    if (url)
      await sql
        .raw(`drop schema ${schema} cascade`)
        .execute(database.db)
        .catch(() => undefined);
    await database.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ok = await runSettlementBench();
  process.exitCode = ok ? 0 : 1;
}
