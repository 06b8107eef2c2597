import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock, unixSeconds } from '../../src/core/clock.js';

describe('clock', () => {
  it('a manual clock starts where told and moves only when advanced', () => {
    const clock = new ManualClock(Date.UTC(2026, 4, 1));
    expect(clock.now()).toEqual(new Date('2026-05-01T00:00:00Z'));
    expect(clock.nowMs()).toBe(Date.UTC(2026, 4, 1));
    clock.advance(1_500);
    expect(clock.now().toISOString()).toBe('2026-05-01T00:00:01.500Z');
    clock.advance(0);
    expect(clock.nowMs()).toBe(Date.UTC(2026, 4, 1) + 1_500);
    expect(new ManualClock(new Date('2026-02-03T04:05:06Z')).nowMs()).toBe(Date.UTC(2026, 1, 3, 4, 5, 6));
    expect(new ManualClock().now()).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('does not go backwards, nor to NaN or infinity', () => {
    const clock = new ManualClock(1_000);
    expect(() => clock.advance(-1)).toThrow(/backwards/);
    expect(() => clock.advance(NaN)).toThrow();
    expect(() => clock.advance(Infinity)).toThrow();
    expect(clock.nowMs()).toBe(1_000);
  });

  it('hands out a fresh Date each time, so callers cannot move it', () => {
    const clock = new ManualClock(1_000);
    clock.now().setTime(0);
    expect(clock.nowMs()).toBe(1_000);
  });

  it('set() jumps to a given time', () => {
    const clock = new ManualClock(0);
    clock.set(new Date('2026-03-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-03-01T00:00:00.000Z');
    clock.set(Date.UTC(2026, 3, 1));
    expect(clock.now().toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });

  it('unixSeconds floors', () => {
    expect(unixSeconds(new ManualClock(1_732_500_000_999))).toBe(1_732_500_000);
  });

  it('the system clock follows real time', () => {
    const before = Date.now();
    const ms = systemClock.nowMs();
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(Math.abs(systemClock.now().getTime() - ms)).toBeLessThan(1_000);
  });
});
