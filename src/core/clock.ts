/** Time is injected: every schedule reads a Clock, so tests move time instead of sleeping. */
export interface Clock {
  now(): Date;
  nowMs(): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  nowMs: () => Date.now(),
};

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private ms: number;
  private readonly listeners = new Set<(nowMs: number) => void>();

  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  nowMs(): number {
    return this.ms;
  }

  advance(ms: number): void {
    if (ms < 0) throw new Error('a clock does not go backwards');
    if (!Number.isFinite(ms)) throw new Error(`cannot advance a clock by ${ms} ms`); // NaN would stick
    this.ms += ms;
    this.moved();
  }

  set(at: Date | number): void {
    this.ms = typeof at === 'number' ? at : at.getTime();
    this.moved();
  }

  /** Calls `listener` after every move, so work scheduled on this clock can run when it falls due. */
  onMove(listener: (nowMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private moved(): void {
    for (const listener of this.listeners) listener(this.ms);
  }
}

export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.nowMs() / 1000);
}
