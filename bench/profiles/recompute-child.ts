import { performance } from 'node:perf_hooks';
import {
  BUILTIN_TAGS,
  applyEvent,
  applyOnce,
  cellCount,
  bookDigest,
  compileTags,
  emptyBook,
  type ProfileEvent,
} from '../../src/profiles/index.js';
import { generateEvents } from './generate.js';

/**
 * One recompute in its own process, so its peak RSS is its own: `fold` streams N generated events
 * through the profile core and digests the result; `incremental` delivers the same events with
 * every 10th one redelivered later, through the exactly-once path; `generate` only generates (the
 * reference: what producing the stream costs).
 */

export interface RecomputeResult {
  mode: string;
  events: number;
  seconds: number;
  /** user + system CPU seconds of the fold: on a shared machine the figure that holds */
  cpuSeconds: number;
  digestSeconds: number;
  digest: string;
  subjects: number;
  cells: number;
  peakRssMb: number;
}

const [modeArg, countArg] = process.argv.slice(2);
const mode = modeArg ?? 'fold';
const count = Number(countArg ?? 1_000_000);
const tags = compileTags(BUILTIN_TAGS);
const book = emptyBook();
let peakRss = process.memoryUsage().rss;

/** Redelivers every 10th event about 1,000 events later (an at-least-once stream). */
function* withRedeliveries(events: Iterable<ProfileEvent>): Generator<ProfileEvent> {
  const pending: ProfileEvent[] = [];
  let i = 0;
  for (const event of events) {
    yield event;
    if (i++ % 10 === 0) pending.push(event);
    if (pending.length > 100) yield pending.shift() as ProfileEvent;
  }
  yield* pending;
}

const cpuStart = process.cpuUsage();
const started = performance.now();
let seen = 0;
if (mode === 'generate') {
  for (const event of generateEvents(count)) {
    if (event.id === '') seen--; // keeps the loop from being optimised away
    if (++seen % 65_536 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
} else if (mode === 'incremental') {
  const processed = new Set<string>();
  for (const event of withRedeliveries(generateEvents(count))) {
    applyOnce(book, tags, processed, event);
    if (++seen % 65_536 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
} else {
  for (const event of generateEvents(count)) {
    applyEvent(book, tags, event);
    if (++seen % 65_536 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
}
const folded = performance.now();
const cpu = process.cpuUsage(cpuStart);
const digest = mode === 'generate' ? '' : bookDigest(book);
const done = performance.now();

let cells = 0;
for (const states of book.values()) for (const state of states.values()) cells += cellCount(state);

const result: RecomputeResult = {
  mode,
  events: count,
  seconds: (folded - started) / 1000,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  digestSeconds: (done - folded) / 1000,
  digest,
  subjects: book.size,
  cells,
  peakRssMb: Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
