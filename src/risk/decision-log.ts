import type { Db } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { insertDecisions, type DecisionRow } from './store.js';

/**
 * The decision log writer. Decisions are written in batches off the request path (one multi-row
 * insert every `intervalMs` or `maxBatch` decisions), so a decision costs no database round trip
 * of its own. A crash loses at most the last interval's log rows, never a decision's effect.
 */
export class DecisionLog {
  private buffer: DecisionRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly intervalMs = 50,
    private readonly maxBatch = 500,
  ) {}

  add(row: DecisionRow): void {
    this.buffer.push(row);
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Writes what is buffered; resolves when every earlier decision is in the database. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(async () => {
      if (rows.length === 0) return;
      try {
        await insertDecisions(this.db, rows);
      } catch (err) {
        this.logger.error({ err, decisions: rows.length }, 'risk decision log write failed');
      }
    });
    return this.flushing;
  }
}
