import type { WindowOp, WindowTotals } from './cache.js';

interface Point {
  t: number;
  member: string;
  amount: number;
}

/**
 * One exact sliding window in memory, with the semantics of the Redis sorted-set script:
 * members sorted by time, a member added again moves to its new time, totals over (now - w, now].
 * Lookups are binary searches; a sum walks only the members inside the window.
 */
export class SlidingWindow {
  private readonly points: Point[] = [];
  private readonly byMember = new Map<string, Point>();

  get size(): number {
    return this.points.length;
  }

  apply(op: WindowOp): WindowTotals[] {
    this.trim(op.nowMs - op.keepMs);
    if (op.add) this.add(op.add.member, op.add.atMs, op.add.amount);
    return op.windowsMs.map((w) => this.totals(op.nowMs - w, op.nowMs));
  }

  /** Drops members with a time at or before `cutoff`. */
  private trim(cutoff: number): void {
    const end = this.firstAfter(cutoff);
    if (end === 0) return;
    for (const p of this.points.splice(0, end)) this.byMember.delete(p.member);
  }

  private add(member: string, t: number, amount: number): void {
    const existing = this.byMember.get(member);
    if (existing) this.points.splice(this.indexOf(existing), 1);
    const point = { t, member, amount };
    this.points.splice(this.firstAfter(t), 0, point);
    this.byMember.set(member, point);
  }

  private totals(from: number, to: number): WindowTotals {
    let count = 0;
    let sum = 0;
    const end = this.firstAfter(to);
    for (let i = this.firstAfter(from); i < end; i++) {
      count++;
      sum += this.points[i]!.amount;
    }
    return { count, sum };
  }

  /** Index of the first point with t > value. */
  private firstAfter(value: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]!.t <= value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(point: Point): number {
    for (let i = this.firstAfter(point.t - 1); i < this.points.length; i++)
      if (this.points[i] === point) return i;
    return this.points.indexOf(point);
  }
}
