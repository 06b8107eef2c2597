import { createWriteStream, createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { splitLines } from '../src/reconciliation/bills/lines.js';
import { parseWechatBill } from '../src/reconciliation/bills/wechat.js';
import type { ChannelBillRecord } from '../src/reconciliation/bills/types.js';
import {
  emptySummary,
  hashMatch,
  mergeMatch,
  tally,
  type MatchOutcome,
  type PlatformRecord,
} from '../src/reconciliation/match.js';
import { sql } from 'kysely';
import { inTransaction, migrateToLatest, openDatabase } from '../src/platform/db/index.js';
import {
  beginReconciliation,
  finishReconciliation,
  readBillFile,
  storeBillFile,
  writeMismatches,
} from '../src/reconciliation/store.js';

/**
 * Reconciliation of a generated WeChat trade bill of BENCH_RECON_LINES (1 000 000) rows, in
 * process, from a file on disk: parse (streaming, totals and SHA1 checked) + match against the
 * platform records of the day. Two matchers: the sorted merge (platform records streamed in key
 * order, as the store feeds them) and the hash join (the day's platform records in memory).
 * Reference in the same run: splitting the same file into lines and nothing else.
 * Peak RSS is sampled every 50 ms during each phase. Goal: parse + match ≤ 30 s, memory flat.
 * Run alone: `npx tsx bench/reconciliation.ts`.
 */

const LINES = Number(process.env.BENCH_RECON_LINES ?? 1_000_000);
const GOAL_S = 30;
const HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
/** one refund every 10 rows; every 100 000th trade missing at JuhePay, every 250 000th fee off */
const REFUND_EVERY = 10;

const pad = (n: number) => String(n).padStart(9, '0');
const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const amountOf = (i: number) => 100 + ((i * 7919) % 100_000);
const feeOf = (amount: number) => Math.floor((amount * 2000 + 500_000) / 1_000_000); // 0.20 %, half up

/** Row i in key order: refunds (`R:`) sort before trades (`T:`), so the first LINES/10 rows are refunds. */
function row(i: number): { line: string; record: PlatformRecord } {
  const refunds = Math.floor(LINES / REFUND_EVERY);
  const isRefund = i < refunds;
  const n = isRefund ? i : i - refunds;
  const amount = amountOf(i);
  const fee = feeOf(amount);
  const outTradeNo = `ord_${pad(n)}`;
  const time = `2026-12-03 ${String(n % 24).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:00`;
  const common = [
    time,
    'wx8888888888888888',
    '1900000109',
    '1900000110',
    '',
    `42000012${pad(n)}`,
    outTradeNo,
    'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    'NATIVE',
  ];
  const fields = isRefund
    ? [
        ...common,
        'REFUND',
        'OTHERS',
        'CNY',
        '0.00',
        '0.00',
        `50300${pad(n)}`,
        `rfd_${pad(n)}`,
        yuan(amount),
        '0.00',
        'ORIGINAL',
        'SUCCESS',
        '商品',
        '',
        `-${yuan(fee)}000`,
        '0.20%',
        '0.00',
        yuan(amount),
        '',
      ]
    : [
        ...common,
        'SUCCESS',
        'OTHERS',
        'CNY',
        yuan(amount),
        '0.00',
        '0',
        '0',
        '0.00',
        '0.00',
        '',
        '',
        '商品',
        '',
        `${yuan(fee)}000`,
        '0.20%',
        yuan(amount),
        '0.00',
        '',
      ];
  const record: PlatformRecord = {
    kind: isRefund ? 'refund' : 'trade',
    id: isRefund ? `rfd_${pad(n)}` : outTradeNo,
    orderId: outTradeNo,
    merchantId: 'mch_bench',
    outTradeNo,
    outRefundNo: isRefund ? `rfd_${pad(n)}` : undefined,
    amount,
    channelFee: i % 250_000 === 1 ? fee + 1 : fee,
    status: 'succeeded',
  };
  return { line: '`' + fields.join(',`'), record };
}

function* platformRecords(): Generator<PlatformRecord> {
  for (let i = 0; i < LINES; i++) if (i % 100_000 !== 7) yield row(i).record;
}

async function writeBill(file: string): Promise<void> {
  const out = createWriteStream(file);
  const sums = { settled: 0, refunded: 0, fee: 0, orders: 0, asked: 0 };
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`\uFEFF${HEADER}\r\n`);
  let buffer = '';
  for (let i = 0; i < LINES; i++) {
    const { line, record } = row(i);
    const fee = feeOf(record.amount);
    if (record.kind === 'trade') {
      sums.settled += record.amount;
      sums.orders += record.amount;
      sums.fee += fee;
    } else {
      sums.refunded += record.amount;
      sums.asked += record.amount;
      sums.fee -= fee;
    }
    buffer += `${line}\r\n`;
    if (buffer.length > 1 << 16) {
      await write(buffer);
      buffer = '';
    }
  }
  await write(buffer);
  await write(
    '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n',
  );
  await write(
    `\`${LINES},\`${yuan(sums.settled)},\`${yuan(sums.refunded)},\`0.00,\`${yuan(sums.fee)},\`${yuan(sums.orders)},\`${yuan(sums.asked)}\r\n`,
  );
  out.end();
  await once(out, 'finish');
}

async function measure<T>(
  label: string,
  run: () => Promise<T>,
): Promise<{ label: string; seconds: number; peakMiB: number; startMiB: number; result: T }> {
  global.gc?.();
  const startMiB = process.memoryUsage.rss() / 2 ** 20;
  let peak = startMiB;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20)), 50);
  const t0 = performance.now();
  const result = await run();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20);
  return { label, seconds, peakMiB: peak, startMiB, result };
}

async function reconcile(file: string, strategy: 'merge' | 'hash') {
  const bill: AsyncIterable<ChannelBillRecord> = parseWechatBill(
    createReadStream(file, { highWaterMark: 1 << 16 }),
  );
  const outcomes =
    strategy === 'merge' ? mergeMatch(bill, platformRecords()) : hashMatch(bill, [...platformRecords()]);
  const summary = emptySummary();
  for await (const outcome of outcomes) tally(summary, outcome);
  return summary;
}

/**
 * The stored pipeline on PostgreSQL, as `juhepay reconcile --file` runs it: the raw bill written
 * to the database in 1 MiB chunks, read back as a stream, parsed, hash-joined, the mismatches and
 * the result written in one transaction. The day's platform records come from memory (the same
 * generator), not from 1,000,000 stored orders: this measures the bill's side.
 */
async function openBenchSchema(url: string) {
  const schema = `bench_recon_${Date.now().toString(36)}_${process.pid}`;
  const database = await openDatabase({ url, schema, poolSize: 2 });
  await migrateToLatest(database.db); // not timed
  return {
    db: database.db,
    close: async () => {
      await sql
        .raw(`drop schema if exists ${schema} cascade`)
        .execute(database.db)
        .catch(() => undefined);
      await database.close();
    },
  };
}

async function storedOnPostgres(file: string, db: Awaited<ReturnType<typeof openBenchSchema>>['db']) {
  {
    const now = () => new Date();
    const rec = await beginReconciliation(
      db,
      { date: '2026-12-03', channel: 'wechatpay', identity: 'file' },
      now(),
    );
    const fileId = await storeBillFile(
      db,
      rec.id,
      { format: 'wechatpay_tradebill' },
      createReadStream(file, { highWaterMark: 1 << 20 }),
      now(),
    );
    const summary = emptySummary();
    const mismatches: MatchOutcome[] = [];
    for await (const outcome of hashMatch(parseWechatBill(readBillFile(db, fileId)), [
      ...platformRecords(),
    ])) {
      tally(summary, outcome);
      if (outcome.type !== 'matched') mismatches.push(outcome);
    }
    await inTransaction(db, async (tx) => {
      await writeMismatches(tx, rec, rec.runs, mismatches, now());
      await finishReconciliation(tx, rec.id, { status: 'completed', summary, totals: null }, now());
    });
    return summary;
  }
}

export async function runReconciliationBench(): Promise<boolean> {
  console.log(
    `## reconciliation: parse + match a ${LINES.toLocaleString('en')}-row WeChat trade bill${process.env.BENCH_RECON_LINES ? ' (NON-DEFAULT, do not quote)' : ''}`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'juhepay-recon-'));
  const file = path.join(dir, 'bill.csv');
  try {
    const t0 = performance.now();
    await writeBill(file);
    console.log(
      `generated ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s (not counted)`,
    );
    const runs = [
      await measure('reference: split lines only', async () => {
        let n = 0;
        for await (const _ of splitLines(createReadStream(file, { highWaterMark: 1 << 16 }))) n++;
        return n;
      }),
      await measure('parse + sorted-merge match', () => reconcile(file, 'merge')),
      await measure('parse + hash-join match', () => reconcile(file, 'hash')),
    ];
    const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
    if (url) {
      const pg = await openBenchSchema(url);
      try {
        runs.push(
          await measure('PostgreSQL: store raw file + read back + parse + hash-join + write', () =>
            storedOnPostgres(file, pg.db),
          ),
        );
      } finally {
        await pg.close();
      }
    } else console.log('(set BENCH_DATABASE_URL for the stored pipeline on PostgreSQL)');
    console.log('| phase | seconds | rows/s | RSS at start | peak RSS |');
    console.log('|---|---:|---:|---:|---:|');
    for (const r of runs) {
      console.log(
        `| ${r.label} | ${r.seconds.toFixed(1)} | ${Math.round(LINES / r.seconds).toLocaleString('en')} | ${r.startMiB.toFixed(0)} MiB | ${r.peakMiB.toFixed(0)} MiB |`,
      );
    }
    let ok = true;
    const expectedMissing = Math.floor((LINES - 8) / 100_000) + 1;
    const expectedFee = Math.floor((LINES - 2) / 250_000) + 1;
    for (const r of runs.slice(1)) {
      const s = r.result as Awaited<ReturnType<typeof reconcile>>;
      if (typeof s !== 'object') continue;
      console.log(`${r.label}: ${JSON.stringify(s.byType)}`);
      if (
        s.byType.channel_only !== expectedMissing ||
        s.byType.fee_mismatch !== expectedFee ||
        s.matched + s.mismatched !== LINES
      ) {
        console.log(
          `!!! ERRORS: expected ${expectedMissing} channel_only and ${expectedFee} fee_mismatch over ${LINES} rows`,
        );
        ok = false;
      }
      if (r.seconds > GOAL_S) console.log(`note: ${r.label} took longer than the ${GOAL_S} s goal`);
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
