import { pathToFileURL } from 'node:url';
import { Engine as JsonRulesEngine } from 'json-rules-engine';
import { ManualClock } from '../src/core/clock.js';
import { MemoryCache } from '../src/platform/cache/index.js';
import { migrateToLatest, openDatabase } from '../src/platform/db/index.js';
import { silentLogger } from '../src/platform/logger.js';
import type { AppContext } from '../src/http/context.js';
import { withRisk } from './risk-setup.js';
import { fmtInt, fmtRatio, median, percentile, printTable } from './lib/stats.js';
import { ROUNDS, SECONDS, describeRun } from './lib/config.js';
import { benchRules, toJsonRulesEngine, type BenchFact } from './risk-rules.js';

/**
 * One risk decision in process (embedded cache): the list check against 1,000 entries (200 of them
 * CIDR ranges), five velocity counters updated and read, 50 CEL rules, and the decision log — one
 * caller at a time, so latency is the engine's own. Then the same 50 rules on json-rules-engine
 * with the same facts, in the same run.
 */

function ipOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

async function timeLoop(seconds: number, fn: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let i = 0;
  const started = performance.now();
  while (performance.now() < end) {
    const t = performance.now();
    await fn(i++);
    latencies.push(performance.now() - t);
  }
  return { perSecond: (i * 1000) / (performance.now() - started), latencies };
}

export async function runRiskBench(): Promise<boolean> {
  console.log(`## risk: one decision in process (lists, 5 counters, 50 CEL rules, log), ${describeRun()}`);
  const database = await openDatabase({});
  await migrateToLatest(database.db);
  const clock = new ManualClock(Date.now());
  const cache = new MemoryCache(clock);
  const rules = benchRules();
  const { risk } = await withRisk({
    db: database.db,
    cache,
    clock,
    logger: silentLogger,
  } as unknown as AppContext);
  if (!risk) throw new Error('no risk engine');

  const facts = (i: number) => ({
    appId: 'app_bench',
    merchantId: 'mch_bench',
    mchOrderNo: `B-${i}`,
    amount: 1_000 + (i % 50) * 1_000,
    channel: i % 2 ? 'wechatpay' : 'alipay',
    customerId: `c${i % 500}`,
    deviceId: `d${i % 700}`,
    clientIp: ipOf(i % 3_000),
    payer: { channel: 'wechatpay', id: `o${i % 900}` },
  });

  const jre = new JsonRulesEngine(rules.map(toJsonRulesEngine), { allowUndefinedFacts: true });
  const jreFacts = (i: number): Record<BenchFact, number | string> => ({
    amount: 1_000 + (i % 50) * 1_000,
    channel: i % 2 ? 'wechatpay' : 'alipay',
    count_ip_60s: i % 40,
    count_device_1h: i % 30,
    count_customer_24h: i % 60,
    sum_customer_24h: (i % 60) * 100_000,
    count_payer_1h: i % 25,
  });

  const ours: { perSecond: number[]; p50: number[]; p99: number[] } = { perSecond: [], p50: [], p99: [] };
  const theirs: typeof ours = { perSecond: [], p50: [], p99: [] };
  await timeLoop(1, (i) => risk.payment(facts(i))); // warm-up
  for (let round = 1; round <= ROUNDS; round++) {
    clock.advance(1_000);
    const a = await timeLoop(SECONDS, (i) => risk.payment(facts(i + round * 1_000_000)));
    const b = await timeLoop(SECONDS, (i) => jre.run(jreFacts(i)));
    for (const [into, r] of [
      [ours, a],
      [theirs, b],
    ] as const) {
      into.perSecond.push(r.perSecond);
      into.p50.push(percentile(r.latencies, 50));
      into.p99.push(percentile(r.latencies, 99));
    }
    console.log(
      `  round ${round}: ours ${fmtInt(a.perSecond)}/s p99 ${percentile(a.latencies, 99).toFixed(3)} ms; json-rules-engine ${fmtInt(b.perSecond)}/s p99 ${percentile(b.latencies, 99).toFixed(3)} ms`,
    );
  }
  await risk.flush();
  const logged = await database.db
    .selectFrom('risk_decisions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  await database.close();
  const row = (name: string, r: typeof ours) => [
    name,
    fmtInt(median(r.perSecond)),
    `${median(r.p50).toFixed(3)} ms`,
    `${median(r.p99).toFixed(3)} ms`,
  ];
  printTable(
    ['engine', 'decisions /s', 'p50', 'p99'],
    [
      row('juhepay risk (lists + 5 counters + 50 CEL rules + log)', ours),
      row('json-rules-engine (the 50 rules only)', theirs),
    ],
  );
  console.log(
    `  ours / json-rules-engine: ${fmtRatio(median(ours.perSecond), median(theirs.perSecond))} the throughput; ${Number(logged.n)} decisions logged`,
  );
  return median(ours.p99) > 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runRiskBench().then(
    (ok) => process.exit(ok ? 0 : 1),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
