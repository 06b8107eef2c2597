import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { systemClock } from '../../src/core/clock.js';
import type { ChannelRegistry } from '../../src/channels/registry.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { reconcileDay } from '../../src/reconciliation/index.js';

/**
 * One `juhepay reconcile --date D --channel wechatpay --file F` (reconcileDay) in its own process,
 * so its peak RSS is its own: argv = database url, schema, date, file. The parent seeded the
 * day's orders and refunds and wrote the bill. Prints one JSON line.
 */

export interface DailyRunResult {
  id: string;
  status: string;
  reason: string | null;
  summary: unknown;
  seconds: number;
  cpuSeconds: number;
  /** seconds until the bill was stored and its first rows parsed, until it was staged whole */
  storedAt: number;
  stagedAt: number;
  /** CPU seconds of the run's PostgreSQL backends (same machine: /proc), null when not readable */
  dbCpuSeconds: number | null;
  peakRssMb: number;
  /** RSS at 25 %, 50 %, 75 % and 100 % of the bill's bytes parsed: flat = memory does not grow with lines */
  rssAtQuarters: number[];
}

const [url, schema, date, file] = process.argv.slice(2);
// the run's connections are named, so a side connection can find their server processes
const appName = `recon_bench_${process.pid}`;
const named = `${url!}${url!.includes('?') ? '&' : '?'}application_name=${appName}`;
const database = await openDatabase({ url: named, schema, poolSize: 2 });

/** CPU of each backend process seen so far (utime + stime, in clock ticks of 1/100 s) */
const backendTicks = new Map<number, number>();
let procReadable = true;
const monitor = new pg.Client({ connectionString: url });
await monitor.connect();
async function sampleBackends(): Promise<void> {
  const { rows } = await monitor.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1',
    [appName],
  );
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      backendTicks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      procReadable = false; // another machine, or gone between the two reads
    }
  }
}
let sampling = Promise.resolve();
const sampler = setInterval(() => {
  sampling = sampling.then(sampleBackends).catch(() => undefined);
}, 200);
const rss = () => process.memoryUsage().rss / 2 ** 20;
const quarters: number[] = [];
let peak = rss();
const timer = setInterval(() => (peak = Math.max(peak, rss())), 50);
const cpuStart = process.cpuUsage();
const started = performance.now();
let storedAt = 0;
let stagedAt = 0;
// the file path never asks the channel: a registry that has no adapter, as for an unconfigured channel
const channels = { has: () => false } as unknown as ChannelRegistry;
const [rec] = await reconcileDay(
  { db: database.db, clock: systemClock, channels },
  {
    date: date!,
    channel: 'wechatpay',
    file: file!,
    onProgress: (p) => {
      const at = (performance.now() - started) / 1000;
      if (!storedAt) storedAt = at;
      stagedAt = at;
      peak = Math.max(peak, rss());
      while (quarters.length < 4 && p.done >= ((quarters.length + 1) / 4) * p.total)
        quarters.push(Math.round(peak));
    },
  },
);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStart);
clearInterval(timer);
clearInterval(sampler);
await sampling;
await sampleBackends();
await monitor.end();
await database.close();
const dbTicks = [...backendTicks.values()].reduce((a, b) => a + b, 0);
const out: DailyRunResult = {
  id: rec!.id,
  status: rec!.status,
  reason: rec!.reason,
  summary: rec!.summary,
  seconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  storedAt,
  stagedAt,
  dbCpuSeconds: procReadable && backendTicks.size > 0 ? dbTicks / 100 : null,
  peakRssMb: Math.max(peak, (process.resourceUsage().maxRSS * 1024) / 2 ** 20),
  rssAtQuarters: quarters,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
