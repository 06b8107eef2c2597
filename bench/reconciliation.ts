import { execFile } from 'node:child_process';
import { createWriteStream, createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { splitLines } from '../src/reconciliation/bills/lines.js';
import { parseWechatBill } from '../src/reconciliation/bills/wechat.js';
import type { ChannelBillRecord } from '../src/reconciliation/bills/types.js';
import {
  emptySummary,
  hashMatch,
  mergeMatch,
  tally,
  type PlatformRecord,
} from '../src/reconciliation/match.js';
import { migrateToLatest, openDatabase, type Db } from '../src/platform/db/index.js';
import type { DailyRunResult } from './reconciliation/daily-child.js';

/**
 * Reconciliation of a generated WeChat trade bill of BENCH_RECON_LINES (1 000 000) rows.
 *
 * In process, from a file on disk: parse (streaming, totals and SHA1 checked) + match against
 * platform records generated in memory, with the sorted merge and the hash join of match.ts;
 * reference in the same run: splitting the same file into lines and nothing else.
 *
 * On PostgreSQL (BENCH_DATABASE_URL / TEST_DATABASE_URL): the daily run itself — reconcileDay, what
 * `juhepay reconcile --file` and the daily job run — against the day's orders, refunds and fee
 * snapshots seeded in the database (not timed), in a child process so its peak RSS is its own;
 * at a quarter of the size and at the full size, to show that memory does not grow with lines.
 * Goal: ≤ 30 s for the full size, memory flat. Run alone: `npx tsx bench/reconciliation.ts`.
 */

const LINES = Number(process.env.BENCH_RECON_LINES ?? 1_000_000);
const GOAL_S = 30;
const run = promisify(execFile);
const HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';

/**
 * A day of `lines` rows: trades of orders 0..T-1 and a full refund of each of the last R orders
 * (R = lines / 10). Every 100 000th order (n % 100 000 = 7, none refunded) is missing at JuhePay,
 * and every 250 000th (n % 250 000 = 1) has a channel cost one fen above the bill's fee. The
 * formulas are written twice, here and in seedDay's SQL.
 */
export class Day {
  readonly refunds: number;
  readonly trades: number;
  constructor(
    readonly tag: string,
    readonly date: string,
    readonly lines: number,
  ) {
    this.refunds = Math.floor(lines / 10);
    this.trades = lines - this.refunds;
  }
  order = (n: number) => `ord_${this.tag}${String(n).padStart(9, '0')}`;
  refund = (n: number) => `rfd_${this.tag}${String(n).padStart(9, '0')}`;
  amount = (n: number) => 100 + ((n * 7919) % 100_000);
  fee = (n: number) => Math.floor((this.amount(n) * 2000 + 500_000) / 1_000_000); // 0.20 %, half up
  cost = (n: number) => this.fee(n) + (n % 250_000 === 1 ? 1 : 0);
  missing = (n: number) => n % 100_000 === 7 && n < this.trades - this.refunds;
  /** the refunded orders: the last R */
  firstRefunded = () => this.trades - this.refunds;

  expected(): { channel_only: number; fee_mismatch: number } {
    let missing = 0;
    let fee = 0;
    for (let n = 0; n < this.trades; n++) {
      if (this.missing(n)) missing++;
      else if (n % 250_000 === 1) fee++;
    }
    return { channel_only: missing, fee_mismatch: fee };
  }

  /** the bill in key order (refunds `R:` before trades `T:`), as the sorted merge needs it */
  *rows(): Generator<{ n: number; kind: 'trade' | 'refund' }> {
    for (let n = this.firstRefunded(); n < this.trades; n++) yield { n, kind: 'refund' };
    for (let n = 0; n < this.trades; n++) yield { n, kind: 'trade' };
  }

  *platform(): Generator<PlatformRecord> {
    for (const { n, kind } of this.rows()) {
      if (kind === 'trade' && this.missing(n)) continue;
      yield {
        kind,
        id: kind === 'trade' ? this.order(n) : this.refund(n),
        orderId: this.order(n),
        merchantId: 'mch_bench',
        outTradeNo: this.order(n),
        ...(kind === 'refund' ? { outRefundNo: this.refund(n) } : {}),
        amount: this.amount(n),
        channelFee: this.cost(n),
        status: 'succeeded',
      };
    }
  }

  line(n: number, kind: 'trade' | 'refund'): string {
    const s = n % 86_000;
    const time = `${this.date} ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    const common = [
      time,
      'wx8888888888888888',
      '1900000109',
      '1900000110',
      '',
      `42000012${this.tag}${String(n).padStart(9, '0')}`,
      this.order(n),
      'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      'NATIVE',
    ];
    const amount = yuan(this.amount(n));
    const fee = `${yuan(this.fee(n))}000`;
    const fields =
      kind === 'refund'
        ? [
            ...common,
            'REFUND',
            'OTHERS',
            'CNY',
            '0.00',
            '0.00',
            `50300${String(n).padStart(9, '0')}`,
            this.refund(n),
            amount,
            '0.00',
            'ORIGINAL',
            'SUCCESS',
            '商品',
            '',
            `-${fee}`,
            '0.20%',
            '0.00',
            amount,
            '',
          ]
        : [
            ...common,
            'SUCCESS',
            'OTHERS',
            'CNY',
            amount,
            '0.00',
            '0',
            '0',
            '0.00',
            '0.00',
            '',
            '',
            '商品',
            '',
            fee,
            '0.20%',
            amount,
            '0.00',
            '',
          ];
    return '`' + fields.join(',`');
  }

  async write(file: string): Promise<void> {
    const out = createWriteStream(file);
    const sums = { settled: 0, refunded: 0, fee: 0 };
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    await write(`\uFEFF${HEADER}\r\n`);
    let buffer = '';
    for (const { n, kind } of this.rows()) {
      if (kind === 'trade') {
        sums.settled += this.amount(n);
        sums.fee += this.fee(n);
      } else {
        sums.refunded += this.amount(n);
        sums.fee -= this.fee(n);
      }
      buffer += `${this.line(n, kind)}\r\n`;
      if (buffer.length > 1 << 16) {
        await write(buffer);
        buffer = '';
      }
    }
    await write(buffer);
    await write(
      '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n',
    );
    const [settled, refunded, fee] = [yuan(sums.settled), yuan(sums.refunded), yuan(sums.fee)];
    await write(`\`${this.lines},\`${settled},\`${refunded},\`0.00,\`${fee},\`${settled},\`${refunded}\r\n`);
    out.end();
    await once(out, 'finish');
  }
}

const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** The day's orders (channel wechatpay), their fee snapshots and refunds, as Day describes them. */
export async function seedDay(db: Db, day: Day): Promise<void> {
  const start = new Date(`${day.date}T00:00:00+08:00`);
  const ids = (prefix: string) => sql`${`${prefix}_${day.tag}`}::text || lpad(n::text, 9, '0')`;
  const amount = sql`(100 + (n::bigint * 7919) % 100000)`;
  const fee = sql`((${amount} * 2000 + 500000) / 1000000)`;
  const at = sql`(${start}::timestamptz + ((n % 86000) || ' seconds')::interval)`;
  await sql`
    insert into orders (id, app_id, merchant_id, mch_order_no, amount, currency, subject, status, fee, metadata,
                        expires_at, paid_at, created_at, updated_at, channel)
    select ${ids('ord')}, 'app_bench', 'mch_bench', ${ids('ord')}, ${amount}, 'CNY', 'bench', 'succeeded', 0, '{}',
           ${at}, ${at}, ${at}, ${at}, 'wechatpay'
      from generate_series(0, ${day.trades - 1}::integer) n
     where not (n % 100000 = 7 and n < ${day.firstRefunded()}::integer)`.execute(db);
  await sql`
    insert into order_fees (order_id, merchant_id, channel, amount, rate, cost_rate, provider_share, bank_share,
                            institution_id, fee, channel_cost, provider_amount, bank_amount, institution_amount, created_at)
    select ${ids('ord')}, 'mch_bench', 'wechatpay', ${amount}, 30, 20, 0, 0, 'ins_bench', 0,
           ${fee} + case when n % 250000 = 1 then 1 else 0 end, 0, 0, 0, ${at}
      from generate_series(0, ${day.trades - 1}::integer) n
     where not (n % 100000 = 7 and n < ${day.firstRefunded()}::integer)`.execute(db);
  await sql`
    insert into refunds (id, order_id, app_id, merchant_id, mch_refund_no, amount, status, request_hash,
                         created_at, updated_at, succeeded_at)
    select ${ids('rfd')}, ${ids('ord')}, 'app_bench', 'mch_bench', ${ids('rfd')}, ${amount}, 'succeeded', 'x',
           ${at} + interval '1 second', ${at} + interval '1 second', ${at} + interval '1 second'
      from generate_series(${day.firstRefunded()}::integer, ${day.trades - 1}::integer) n`.execute(db);
}

async function openBenchSchema(url: string) {
  const schema = `bench_recon_${Date.now().toString(36)}_${process.pid}`;
  const database = await openDatabase({ url, schema, poolSize: 2 });
  await migrateToLatest(database.db); // not timed
  const now = new Date();
  await sql`insert into institutions (id, name, created_at) values ('ins_bench', 'Bench Bank', ${now})`.execute(
    database.db,
  );
  await sql`insert into merchants (id, institution_id, name, status, created_at)
            values ('mch_bench', 'ins_bench', 'Bench', 'active', ${now})`.execute(database.db);
  await sql`insert into apps (id, merchant_id, name, secret_ciphertext, status, created_at)
            values ('app_bench', 'mch_bench', 'bench', 'x', 'active', ${now})`.execute(database.db);
  return {
    db: database.db,
    schema,
    close: async () => {
      await sql
        .raw(`drop schema if exists ${schema} cascade`)
        .execute(database.db)
        .catch(() => undefined);
      await database.close();
    },
  };
}

async function measure<T>(label: string, fn: () => Promise<T>) {
  global.gc?.();
  const startMiB = process.memoryUsage.rss() / 2 ** 20;
  let peak = startMiB;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20)), 50);
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20);
  return { label, seconds, peakMiB: peak, startMiB, result };
}

async function inMemory(file: string, day: Day, strategy: 'merge' | 'hash') {
  const bill: AsyncIterable<ChannelBillRecord> = parseWechatBill(
    createReadStream(file, { highWaterMark: 1 << 16 }),
  );
  const outcomes =
    strategy === 'merge' ? mergeMatch(bill, day.platform()) : hashMatch(bill, [...day.platform()]);
  const summary = emptySummary();
  for await (const outcome of outcomes) tally(summary, outcome);
  return summary;
}

/** the daily run of one day in a child process, checked against what the day should give */
async function dailyRun(url: string, schema: string, db: Db, day: Day, file: string) {
  const child = fileURLToPath(new URL('./reconciliation/daily-child.ts', import.meta.url));
  const loadBefore = os.loadavg()[0]!;
  // BENCH_RECON_CPU_PROF=<dir>: a V8 CPU profile of each daily run written there
  const prof = process.env.BENCH_RECON_CPU_PROF;
  const flags = prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [];
  const { stdout } = await run(
    process.execPath,
    [...flags, '--import', 'tsx', child, url, schema, day.date, file],
    {
      maxBuffer: 1 << 20,
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as DailyRunResult;
  const counts = await db
    .selectFrom('reconciliation_mismatches')
    .select(['type', (eb) => eb.fn.countAll<number>().as('n')])
    .where('reconciliation_id', '=', result.id)
    .groupBy('type')
    .execute();
  const byType = Object.fromEntries(counts.map((c) => [c.type, Number(c.n)]));
  const expected = day.expected();
  const summary = result.summary as { matched: number; mismatched: number };
  const ok =
    result.status === 'completed' &&
    byType.channel_only === expected.channel_only &&
    byType.fee_mismatch === expected.fee_mismatch &&
    Object.keys(byType).length === 2 &&
    summary.matched + summary.mismatched === day.lines;
  return { result, byType, expected, ok, load: [loadBefore, os.loadavg()[0]!] };
}

export async function runReconciliationBench(): Promise<boolean> {
  console.log(
    `## reconciliation: a ${LINES.toLocaleString('en')}-row WeChat trade bill${process.env.BENCH_RECON_LINES ? ' (NON-DEFAULT, do not quote)' : ''}`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'juhepay-recon-'));
  let ok = true;
  try {
    const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
    if (url) {
      const pg = await openBenchSchema(url);
      try {
        const days = [new Day('q', '2026-12-02', Math.floor(LINES / 4)), new Day('f', '2026-12-03', LINES)];
        const s0 = performance.now();
        for (const day of days) await seedDay(pg.db, day);
        await sql`analyze`.execute(pg.db);
        console.log(
          `seeded ${days.map((d) => d.lines.toLocaleString('en')).join(' + ')} rows' orders and refunds in ${((performance.now() - s0) / 1000).toFixed(1)} s (not timed)`,
        );
        console.log(
          '### PostgreSQL: the daily run (reconcileDay --file: store, parse, stage, match in SQL, write)',
        );
        console.log(
          '| lines | seconds | CPU s node + db | stored + first rows at | staged at | peak RSS | RSS at ¼ ½ ¾ 1 of the bill | load avg (1 min) before/after |',
        );
        console.log('|---:|---:|---:|---:|---:|---:|---|---|');
        for (const day of days) {
          const file = path.join(dir, `bill-${day.tag}.csv`);
          await day.write(file);
          const r = await dailyRun(url, pg.schema, pg.db, day, file);
          rmSync(file);
          const x = r.result;
          console.log(
            `| ${day.lines.toLocaleString('en')} | ${x.seconds.toFixed(1)} | ${x.cpuSeconds.toFixed(1)} + ${x.dbCpuSeconds?.toFixed(1) ?? '?'} | ${x.storedAt.toFixed(1)} s | ${x.stagedAt.toFixed(1)} s | ${x.peakRssMb.toFixed(0)} MiB | ${x.rssAtQuarters.join(' / ')} MiB | ${r.load.map((l) => l.toFixed(2)).join(' / ')} |`,
          );
          if (!r.ok) {
            console.log(
              `!!! ERRORS: ${day.lines} lines gave ${x.status} ${x.reason ?? ''} ${JSON.stringify(r.byType)}, expected ${JSON.stringify(r.expected)}`,
            );
            ok = false;
          }
          if (day.lines === LINES && x.seconds > GOAL_S)
            console.log(`note: the daily run took longer than the ${GOAL_S} s goal`);
        }
      } finally {
        await pg.close();
      }
    } else console.log('(set BENCH_DATABASE_URL for the daily run on PostgreSQL)');

    const day = new Day('f', '2026-12-03', LINES);
    const file = path.join(dir, 'bill.csv');
    const t0 = performance.now();
    await day.write(file);
    console.log(`### in process: parse + match (platform records from memory)`);
    console.log(
      `generated ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s (not counted)`,
    );
    const runs = [
      await measure('reference: split lines only', async () => {
        let n = 0;
        for await (const _ of splitLines(createReadStream(file, { highWaterMark: 1 << 16 }))) n++;
        return n;
      }),
      await measure('parse + sorted-merge match', () => inMemory(file, day, 'merge')),
      await measure('parse + hash-join match', () => inMemory(file, day, 'hash')),
    ];
    console.log('| phase | seconds | rows/s | RSS at start | peak RSS |');
    console.log('|---|---:|---:|---:|---:|');
    for (const r of runs)
      console.log(
        `| ${r.label} | ${r.seconds.toFixed(1)} | ${Math.round(LINES / r.seconds).toLocaleString('en')} | ${r.startMiB.toFixed(0)} MiB | ${r.peakMiB.toFixed(0)} MiB |`,
      );
    const expected = day.expected();
    for (const r of runs.slice(1)) {
      const s = r.result as Awaited<ReturnType<typeof inMemory>>;
      console.log(`${r.label}: ${JSON.stringify(s.byType)}`);
      if (
        s.byType.channel_only !== expected.channel_only ||
        s.byType.fee_mismatch !== expected.fee_mismatch ||
        s.matched + s.mismatched !== LINES
      ) {
        console.log(`!!! ERRORS: expected ${JSON.stringify(expected)} over ${LINES} rows`);
        ok = false;
      }
    }
    console.log(`ratio parse+merge / split-only: ${(runs[1]!.seconds / runs[0]!.seconds).toFixed(1)}×`);
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = (await runReconciliationBench()) ? 0 : 1;
}
