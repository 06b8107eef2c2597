import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  BUILTIN_TAGS,
  applyEvent,
  applyOnce,
  compileTags,
  emptyBook,
  type ProfileEvent,
} from '../src/profiles/index.js';
import { ROUNDS, SECONDS, WARMUP_SECONDS, describeRun } from './lib/config.js';
import { fmtInt, fmtRatio, median, printTable } from './lib/stats.js';
import { generateEvents } from './profiles/generate.js';
import type { RecomputeResult } from './profiles/recompute-child.js';
import { runConsumerBench, runRecomputeBench } from './profiles-db.js';

/**
 * profiles: the pure profile core, in process.
 * 1. the aggregate update rate (events/s) against a reference, one Map increment per event;
 * 2. full recomputes of 250k, 500k and 1M generated events, each in its own process (its own
 *    peak RSS), streamed, with the linearity and a check that an at-least-once incremental run
 *    ends on the same digest as the recompute.
 */

const BATCH = 100_000;
const UPDATE_GOAL = 50_000;
const RECOMPUTE_GOAL_S = 20;
const run = promisify(execFile);

type Target = 'map-increment' | 'apply' | 'apply-once';

interface Rate {
  wall: number;
  cpu: number;
}

const tags = compileTags(BUILTIN_TAGS);
// one state per target, kept across the warmup and the rounds: a running consumer's state is warm
const books = new Map<Target, ReturnType<typeof emptyBook>>();
const counter = new Map<string, number>();

function timeTarget(target: Target, events: readonly ProfileEvent[], seconds: number): Rate {
  const book = books.get(target) ?? emptyBook();
  books.set(target, book);
  let processed = new Set<string>();
  let done = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    // a pass over the batch, then a new processed set so the same ids count again
    processed = new Set();
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as ProfileEvent;
      if (target === 'map-increment') {
        const key = event.customer_id ?? '';
        counter.set(key, (counter.get(key) ?? 0) + 1);
      } else if (target === 'apply') applyEvent(book, tags, event);
      else applyOnce(book, tags, processed, event);
      done++;
      if ((i & 4095) === 0 && performance.now() >= deadline) break;
    }
  }
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { wall: done / wall, cpu: done / ((cpu.user + cpu.system) / 1e6) };
}

async function recompute(mode: string, events: number): Promise<RecomputeResult> {
  const file = fileURLToPath(new URL('./profiles/recompute-child.ts', import.meta.url));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file, mode, String(events)], {
    timeout: 600_000,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as RecomputeResult;
}

/** `npm run bench -- profiles`: update rates, the consumer on PostgreSQL, recomputes of 250k. */
export async function runProfilesBench(): Promise<boolean> {
  const updates = await runUpdateBench();
  const pure = await runPureRecomputes([250_000]);
  console.log('');
  const consumer = await runConsumerBench();
  console.log('');
  const recompute = await runRecomputeBench([250_000]);
  return updates && pure && consumer && recompute;
}

/** `npm run bench -- profiles-1m`: the long runs, 250k and 1M events, pure and on PostgreSQL. */
export async function runProfiles1mBench(): Promise<boolean> {
  console.log('## profiles-1m: full recomputes of 250k and 1,000,000 generated events');
  const pure = await runPureRecomputes([250_000, 1_000_000]);
  console.log('');
  return (await runRecomputeBench([250_000, 1_000_000])) && pure;
}

async function runUpdateBench(): Promise<boolean> {
  console.log('## profiles: aggregate updates and full recomputes (pure core, in process)');
  console.log(`config: ${describeRun()}; update batch ${fmtInt(BATCH)} generated events (20,000 customers)`);
  const ok = true;

  const batch = [...generateEvents(BATCH, 7)];
  const targets: Target[] = ['map-increment', 'apply', 'apply-once'];
  for (const target of targets) timeTarget(target, batch, WARMUP_SECONDS);
  const rates = new Map<Target, Rate[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of targets) rates.get(target)?.push(timeTarget(target, batch, SECONDS));
  }
  const med = (t: Target, k: keyof Rate) => median((rates.get(t) ?? []).map((r) => r[k]));
  printTable(
    ['target', 'events/s', 'events/cpu-s', 'what runs'],
    [
      [
        'map-increment',
        fmtInt(med('map-increment', 'wall')),
        fmtInt(med('map-increment', 'cpu')),
        'reference: one Map counter per event',
      ],
      [
        'apply',
        fmtInt(med('apply', 'wall')),
        fmtInt(med('apply', 'cpu')),
        'applyEvent: every built-in tag, customer + payer',
      ],
      [
        'apply-once',
        fmtInt(med('apply-once', 'wall')),
        fmtInt(med('apply-once', 'cpu')),
        'applyOnce: the same behind a processed-id set',
      ],
    ],
  );
  console.log(
    `apply / map-increment: ${fmtRatio(med('apply', 'cpu'), med('map-increment', 'cpu'))} (cpu); goal >= ${fmtInt(UPDATE_GOAL)} events/s: ${med('apply-once', 'wall') >= UPDATE_GOAL ? 'met' : 'NOT met'} (apply-once, wall)`,
  );

  return ok;
}

/** The pure fold of N generated events (no database), each in its own process. */
async function runPureRecomputes(sizes: readonly number[]): Promise<boolean> {
  console.log('');
  console.log('### pure fold (profile core, no database), own process per size');
  let ok = true;
  const results: RecomputeResult[] = [];
  results.push(await recompute('generate', sizes[sizes.length - 1] ?? 250_000));
  for (const size of sizes) results.push(await recompute('fold', size));
  const incremental = await recompute('incremental', sizes[0] ?? 250_000);
  results.push(incremental);
  printTable(
    ['mode', 'events', 'wall s', 'cpu s', 'events/s', 'digest s', 'subjects', 'cells', 'peak RSS'],
    results.map((r) => [
      r.mode,
      fmtInt(r.events),
      r.seconds.toFixed(2),
      r.cpuSeconds.toFixed(2),
      fmtInt(r.events / r.seconds),
      r.digestSeconds.toFixed(2),
      fmtInt(r.subjects),
      fmtInt(r.cells),
      `${fmtInt(r.peakRssMb)} MiB`,
    ]),
  );
  const folds = results.filter((r) => r.mode === 'fold');
  const first = folds[0];
  const last = folds[folds.length - 1];
  if (first && last) {
    const scale = last.events / first.events;
    console.log(
      `linearity ${fmtInt(first.events)} -> ${fmtInt(last.events)} (x${scale}): wall x${(last.seconds / first.seconds).toFixed(2)}, cpu x${(last.cpuSeconds / first.cpuSeconds).toFixed(2)} (1.00 per event = x${scale})`,
    );
    const total = last.seconds + last.digestSeconds;
    console.log(
      `pure fold of ${fmtInt(last.events)}: ${total.toFixed(1)} s with the digest (the whole book in memory: the core's cost per event; the recompute and its ${RECOMPUTE_GOAL_S} s goal are on PostgreSQL below)`,
    );
  }
  console.log(
    'peak RSS is the fold process’s own; the generate row is the floor of streaming the events alone',
  );
  if (!first || incremental.digest !== first.digest) {
    console.log(
      '!!! ERRORS: the incremental run (with redeliveries) and the recompute have different digests',
    );
    ok = false;
  } else {
    console.log(
      `incremental with redeliveries == recompute at ${fmtInt(first.events)}: digest ${first.digest.slice(0, 16)}…`,
    );
  }
  return ok;
}
