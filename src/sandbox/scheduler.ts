import { ManualClock, type Clock } from '../core/clock.js';

/**
 * Every delay of the simulators (notification retries, password entry, refund settling, held
 * requests) is a task due at a time of the injected clock. On the system clock one real timer is
 * armed for the earliest task; on a ManualClock tasks run when the clock is moved past them, so
 * tests advance time instead of sleeping. Channel delays are divided by `timeScale` (1 = real).
 */

/** may return a promise: the work it starts is followed until it settles (see `idle`) */
export type SandboxTask = () => unknown;

interface Entry {
  dueMs: number;
  seq: number;
  run: SandboxTask;
  /** a held request: released (not dropped) when the sandbox closes */
  releaseOnClose: boolean;
}

const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit

export class SandboxScheduler {
  private readonly entries = new Set<Entry>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly unfollow: (() => void) | undefined;
  private closed = false;
  private seq = 0;

  constructor(
    readonly clock: Clock,
    readonly timeScale = 1,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale))
      throw new Error(`timeScale must be > 0, not ${timeScale}`);
    // a manual clock drives the tasks itself: whoever moves it (a test, the app's inline waits) runs them
    if (clock instanceof ManualClock) this.unfollow = clock.onMove(() => void this.idle());
  }

  /** the clock time at which `channelMs` of channel time will have passed */
  dueIn(channelMs: number): number {
    return this.clock.nowMs() + channelMs / this.timeScale;
  }

  /** runs `task` once `channelMs` of channel time has passed; returns a cancel function */
  after(channelMs: number, task: SandboxTask): () => void {
    return this.at(this.dueIn(channelMs), task);
  }

  /** runs `task` when the clock reaches `dueMs`; returns a cancel function */
  at(dueMs: number, task: SandboxTask, releaseOnClose = false): () => void {
    if (this.closed) return () => {};
    const entry: Entry = { dueMs, seq: this.seq++, run: task, releaseOnClose };
    this.entries.add(entry);
    this.arm();
    return () => {
      this.entries.delete(entry);
      this.arm();
    };
  }

  /** resolves after `channelMs` of channel time, or at once when the sandbox closes */
  hold(channelMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.at(this.dueIn(channelMs), resolve, true));
  }

  /** follows work started outside a task (a notification's first delivery) so `idle` waits for it */
  track(work: Promise<unknown>): void {
    const followed: Promise<unknown> = work
      .catch((error: unknown) => this.onError(error))
      .finally(() => this.inFlight.delete(followed));
    this.inFlight.add(followed);
  }

  /** the earliest due time, undefined when nothing is scheduled */
  nextDueMs(): number | undefined {
    let next: number | undefined;
    for (const e of this.entries) if (next === undefined || e.dueMs < next) next = e.dueMs;
    return next;
  }

  /** how many tasks wait for their time (held requests included) */
  scheduled(): number {
    return this.entries.size;
  }

  /** how many requests are held (a `timeout` fault) until their time or the close */
  holding(): number {
    return [...this.entries].filter((e) => e.releaseOnClose).length;
  }

  /** Runs what is due and waits until it, and whatever it started or made due, has settled. */
  async idle(): Promise<void> {
    for (;;) {
      this.runDue();
      if (this.inFlight.size === 0) return;
      await Promise.all([...this.inFlight]);
    }
  }

  /**
   * ManualClock only: moves time forward by `ms`, stopping at each task's due time and letting it
   * settle, so that what a task schedules next counts from its own time (as real time would).
   */
  async advance(ms: number): Promise<void> {
    const clock = this.clock;
    if (!(clock instanceof ManualClock)) throw new Error('only a ManualClock can be advanced');
    const target = clock.nowMs() + ms;
    await this.idle();
    for (let next = this.nextDueMs(); next !== undefined && next <= target; next = this.nextDueMs()) {
      if (next > clock.nowMs()) clock.set(next);
      await this.idle();
    }
    if (target > clock.nowMs()) clock.set(target);
    await this.idle();
  }

  /** Drops what is scheduled and releases held requests; nothing runs afterwards. */
  close(): void {
    this.closed = true;
    this.unfollow?.();
    if (this.timer) clearTimeout(this.timer);
    const held = [...this.entries].filter((e) => e.releaseOnClose);
    this.entries.clear();
    for (const e of held) e.run();
  }

  private runDue(): void {
    const now = this.clock.nowMs();
    const due = [...this.entries]
      .filter((e) => e.dueMs <= now)
      .sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
    for (const entry of due) {
      this.entries.delete(entry);
      try {
        const result = entry.run();
        if (result instanceof Promise) this.track(result);
      } catch (error) {
        this.onError(error);
      }
    }
    if (due.length > 0) this.arm();
  }

  /** On a real clock, one timer for the earliest task. */
  private arm(): void {
    if (this.unfollow || this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.nextDueMs();
    if (next === undefined) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, next - this.clock.nowMs()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.idle();
      this.arm();
    }, wait);
  }
}
