import { performance } from 'node:perf_hooks';
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
  peakRssMb: number;
  /** RSS at 25 %, 50 %, 75 % and 100 % of the bill's bytes parsed: flat = memory does not grow with lines */
  rssAtQuarters: number[];
}

const [url, schema, date, file] = process.argv.slice(2);
const database = await openDatabase({ url, schema, poolSize: 2 });
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
await database.close();
const out: DailyRunResult = {
  id: rec!.id,
  status: rec!.status,
  reason: rec!.reason,
  summary: rec!.summary,
  seconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  storedAt,
  stagedAt,
  peakRssMb: Math.max(peak, (process.resourceUsage().maxRSS * 1024) / 2 ** 20),
  rssAtQuarters: quarters,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
