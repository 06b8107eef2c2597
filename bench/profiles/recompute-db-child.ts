import { systemClock } from '../../src/core/clock.js';
import { MemoryCache } from '../../src/platform/cache/index.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { recomputeProfiles } from '../../src/profiles/index.js';
import { backendCpuSeconds, withApplicationName } from './pg-cpu.js';

/**
 * One `juhepay profiles recompute` (recomputeProfiles) in its own process, so its peak RSS is its
 * own: argv = database url, schema. The parent filled the journal. Prints one JSON line.
 */

export interface DbRecomputeResult {
  events: number;
  seconds: number;
  cpuSeconds: number;
  /** CPU seconds of the PostgreSQL backends serving it (local server only) */
  serverCpuSeconds: number | undefined;
  /** the replay: read, fold, serialise and write, overlapped */
  replay: number;
  /** within the replay, waiting for the next page of events and for the previous insert */
  readWait: number;
  writeWait: number;
  switch: number;
  subjects: number;
  states: number;
  digest: string;
  peakRssMb: number;
  /** peak RSS sampled at 25 %, 50 %, 75 % and 100 % of the journal: flat = memory does not grow with history */
  rssAtQuarters: number[];
}

const [url = '', schema] = process.argv.slice(2);
const appName = `bench_recompute_${process.pid}`;
// two connections: the replay reads on one while the previous insert runs on the other
const database = await openDatabase({ url: withApplicationName(url, appName), schema, poolSize: 2 });
const rss = () => process.memoryUsage().rss / 2 ** 20;
const quarters: number[] = [];
let peak = rss();
const cpuStart = process.cpuUsage();
const started = performance.now();
const result = await recomputeProfiles(
  { db: database.db, cache: new MemoryCache(systemClock), clock: systemClock, engine: database.engine },
  {
    refreshCache: false,
    onProgress: (done, total) => {
      peak = Math.max(peak, rss());
      if (done >= ((quarters.length + 1) / 4) * total) quarters.push(Math.round(peak));
    },
  },
);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStart);
const serverCpuSeconds = await backendCpuSeconds(database.db, appName);
await database.close();
const out: DbRecomputeResult = {
  events: result.events,
  seconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  serverCpuSeconds,
  replay: result.timings.replay,
  readWait: result.timings.readWait,
  writeWait: result.timings.writeWait,
  switch: result.timings.switch,
  subjects: result.subjects,
  states: result.states,
  digest: result.digest,
  peakRssMb: Math.max(peak, (process.resourceUsage().maxRSS * 1024) / 2 ** 20),
  rssAtQuarters: quarters,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
