import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BACKOFF,
  defaultBackoff,
  exponentialBackoff,
  exponentialBackoffMs,
  scheduleBackoff,
} from '../../src/platform/jobs/backoff.js';

// Pure: no database, but it lives with the jobs tests it belongs to.
describe('job backoff', () => {
  it('is 5 s doubling, capped at 1 h', () => {
    const delays = Array.from({ length: 14 }, (_, i) => defaultBackoff(i + 1));
    expect(delays).toEqual([
      5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000, 2_560_000, 3_600_000,
      3_600_000, 3_600_000, 3_600_000,
    ]);
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 5_000, capMs: 3_600_000 });
  });

  const policy = fc
    .record({ baseMs: fc.integer({ min: 1, max: 10_000_000 }), extra: fc.integer({ min: 0, max: 1e12 }) })
    .map(({ baseMs, extra }) => ({ baseMs, capMs: baseMs + extra }));
  const attempts = fc.oneof(fc.integer({ min: -5, max: 80 }), fc.integer({ min: 0, max: 1e9 }));

  it('is positive, capped, a whole number of ms, and never shrinks as attempts grow', () => {
    fc.assert(
      fc.property(policy, attempts, attempts, (p, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const dLo = exponentialBackoffMs(lo, p);
        const dHi = exponentialBackoffMs(hi, p);
        expect(dLo).toBeGreaterThan(0);
        expect(dLo).toBeGreaterThanOrEqual(Math.min(p.baseMs, p.capMs));
        expect(dHi).toBeLessThanOrEqual(p.capMs);
        expect(Number.isSafeInteger(dHi)).toBe(true);
        expect(dHi).toBeGreaterThanOrEqual(dLo);
      }),
    );
  });

  it('doubles exactly until it reaches the cap', () => {
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 60 }), (p, n) => {
        const d = exponentialBackoffMs(n, p);
        const next = exponentialBackoffMs(n + 1, p);
        expect(next).toBe(Math.min(p.capMs, d * 2));
      }),
    );
  });

  it('refuses a nonsensical policy', () => {
    expect(() => exponentialBackoff({ baseMs: 0, capMs: 10 })).toThrow(RangeError);
    expect(() => exponentialBackoff({ baseMs: 10, capMs: 5 })).toThrow(RangeError);
    expect(() => exponentialBackoff({ baseMs: 1.5, capMs: 10 })).toThrow(RangeError);
  });

  it('follows a fixed schedule and repeats its last step', () => {
    const schedule = scheduleBackoff([15_000, 60_000, 300_000]);
    expect([1, 2, 3, 4, 100].map(schedule)).toEqual([15_000, 60_000, 300_000, 300_000, 300_000]);
    expect(() => scheduleBackoff([])).toThrow(RangeError);
    expect(() => scheduleBackoff([10, 0])).toThrow(RangeError);
  });
});
