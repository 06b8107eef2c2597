import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Db } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import type { RuleSetSnapshot } from './rule-results.js';
import { insertDecisions, insertRuleSets, type DecisionRow } from './store.js';

/**
 * The decision log writer. Decisions are written in batches off the request path (every
 * `intervalMs` or `maxBatch` decisions), so a decision costs no database round trip of its own,
 * and its row is only built (and serialised) when the batch is written. A batch is one insert
 * (`chunkRows` = `maxBatch`); only a backlog larger than that (after a failure) goes out in several,
 * with a turn of the event loop between them. In embedded mode PGlite runs the insert on this
 * thread: one batch holds decisions up for ~20 ms once per batch, and smaller inserts (25 rows,
 * ~1.4 ms each) stall one decision in 25 instead — p99 3 ms instead of 0.3 ms (bench/risk), for a
 * shorter worst case. A chunk that fails is kept with the rest of its batch and written again
 * later, and flush() (called at shutdown) writes what is left: only a crash of the process loses
 * the last interval's log rows — never a decision's effect.
 */
export class DecisionLog {
  private buffer: Array<() => DecisionRow> = [];
  /** rule sets named by buffered decisions, written before them */
  private sets: RuleSetSnapshot[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private failures = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly intervalMs = 50,
    private readonly maxBatch = 500,
    private readonly chunkRows = maxBatch,
  ) {}

  /** Buffers one decision; `row` builds its log row when the batch is written. */
  add(row: () => DecisionRow): void {
    this.buffer.push(row);
    if (this.buffer.length >= this.maxBatch && this.failures === 0) void this.flush();
    else this.schedule(this.intervalMs);
  }

  /** The rule sets the next decisions are made with (written once each, before those decisions). */
  addRuleSets(sets: readonly RuleSetSnapshot[]): void {
    this.sets.push(...sets);
  }

  /** Decisions waiting to be written (for tests and metrics). */
  get pending(): number {
    return this.buffer.length;
  }

  /** Writes what is buffered; resolves when every earlier decision is in the database (or kept). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  private async write(batch: Array<() => DecisionRow>): Promise<void> {
    let written = 0;
    try {
      while (written < batch.length) {
        if (written > 0) await yieldToEventLoop();
        const rows = batch.slice(written, written + this.chunkRows).map((build) => build());
        if (this.sets.length > 0) {
          const sets = this.sets;
          await insertRuleSets(this.db, sets, rows[0]!.created_at);
          this.sets = this.sets.slice(sets.length);
        }
        await insertDecisions(this.db, rows);
        written += rows.length;
      }
      this.failures = 0;
    } catch (err) {
      // keep the unwritten ones and write them again (rows already in are skipped by id)
      this.failures++;
      this.buffer = [...batch.slice(written), ...this.buffer];
      this.logger.error(
        { err, decisions: batch.length - written },
        'risk decision log write failed; will retry',
      );
      this.schedule(Math.min(30_000, this.intervalMs * 2 ** this.failures));
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), delayMs);
    this.timer.unref();
  }
}
