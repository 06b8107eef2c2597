import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeEachCache } from '../support/cache.js';
import { unique } from '../support/stream.js';

/** The naive model of a sliding window: a list of (member, time, amount), filtered on each read. */
class NaiveWindow {
  private points: Array<{ member: string; t: number; amount: number }> = [];
  apply(
    now: number,
    keep: number,
    add: { member: string; t: number; amount: number } | undefined,
    windows: number[],
  ) {
    this.points = this.points.filter((p) => p.t > now - keep);
    if (add) this.points = [...this.points.filter((p) => p.member !== add.member), add];
    return windows.map((w) => {
      const inside = this.points.filter((p) => p.t > now - w && p.t <= now);
      return { count: inside.length, sum: inside.reduce((s, p) => s + p.amount, 0) };
    });
  }
}

describeEachCache('cache: risk primitives', (ctx) => {
  it('sliding window agrees with the naive model under random times, repeats and clock moves', async () => {
    const step = fc.record({
      // the clock moves forward mostly, sometimes back (NTP step, another node's clock)
      move: fc.integer({ min: -5_000, max: 40_000 }),
      add: fc.option(
        fc.record({
          member: fc.integer({ min: 0, max: 12 }).map((n) => `m${n}`),
          skew: fc.integer({ min: -70_000, max: 2_000 }),
          amount: fc.integer({ min: 1, max: 1_000_000 }),
        }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const key = unique('win');
        const model = new NaiveWindow();
        let now = 1_764_000_000_000;
        const windows = [1_000, 60_000, 120_000];
        for (const s of steps) {
          now += s.move;
          const add = s.add ? { member: s.add.member, t: now + s.add.skew, amount: s.add.amount } : undefined;
          const got = await ctx.cache.window(key, {
            nowMs: now,
            keepMs: 120_000,
            add: add && { member: add.member, atMs: add.t, amount: add.amount },
            windowsMs: windows,
          });
          expect(got).toEqual(model.apply(now, 120_000, add, windows));
        }
      }),
      { numRuns: ctx.kind === 'redis' ? 60 : 200 },
    );
  });

  it('counts this attempt once however often it is added again', async () => {
    const key = unique('win');
    const op = (now: number) => ({
      nowMs: now,
      keepMs: 60_000,
      add: { member: 'ord-1', atMs: now, amount: 500 },
      windowsMs: [60_000],
    });
    expect(await ctx.cache.window(key, op(1_000_000))).toEqual([{ count: 1, sum: 500 }]);
    expect(await ctx.cache.window(key, op(1_000_500))).toEqual([{ count: 1, sum: 500 }]);
  });

  it('versioned map: writes and deletes move the version, reads see both at once', async () => {
    const map = unique('map');
    expect(await ctx.cache.mapRead(map)).toEqual({ version: 0, entries: {} });
    const v1 = await ctx.cache.mapWrite(map, { a: '1', b: '2' });
    const v2 = await ctx.cache.mapWrite(map, { a: null });
    expect(v2).toBe(v1 + 1);
    expect(await ctx.cache.mapRead(map)).toEqual({ version: v2, entries: { b: '2' } });
    const other = ctx.open(); // another node
    expect(await other.getMany([`${map}:version`, unique('absent')])).toEqual([String(v2), null]);
    expect((await other.mapRead(map)).entries).toEqual({ b: '2' });
  });

  it('distinct counts values, not repeats', async () => {
    const key = unique('hll');
    for (const v of ['a', 'b', 'a', 'c', 'b']) await ctx.cache.distinct(key, v, 60_000);
    expect(await ctx.cache.distinct(key, 'a', 60_000)).toBe(3);
  });

  it('distinctWindow counts different values over the buckets of a window, and forgets old buckets', async () => {
    const key = unique('hllw');
    const op = (nowMs: number, add?: string) =>
      ctx.cache.distinctWindow(key, { nowMs, windowMs: 60_000, bucketMs: 5_000, add });
    const t = 1_800_000_000_000;
    for (const [dt, v] of [
      [0, 'a'],
      [1_000, 'b'],
      [20_000, 'a'],
      [40_000, 'c'],
    ] as const)
      await op(t + dt, v);
    expect(await op(t + 50_000)).toBe(3);
    // 'a' and 'b' of t+0/t+1s have left the buckets covering the window; 'a' again at t+20s stays
    expect(await op(t + 80_000)).toBe(2);
    expect(await op(t + 200_000)).toBe(0);
  });
});
