import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { SandboxScheduler } from '../../src/sandbox/scheduler.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('SandboxScheduler on a ManualClock', () => {
  it('runs a task when the clock reaches its time, whoever moves the clock', async () => {
    const clock = new ManualClock(0);
    const scheduler = new SandboxScheduler(clock);
    const ran: number[] = [];
    scheduler.after(10_000, () => ran.push(clock.nowMs()));
    clock.advance(9_999);
    expect(ran).toEqual([]);
    clock.advance(5); // e.g. the app's own inline wait
    expect(ran).toEqual([10_004]);
    expect(scheduler.scheduled()).toBe(0);
  });

  it('advance stops at each due time, so a follow-up counts from the task that planned it', async () => {
    const clock = new ManualClock(0);
    const scheduler = new SandboxScheduler(clock);
    const ran: number[] = [];
    const retry = async () => {
      ran.push(clock.nowMs());
      await Promise.resolve(); // e.g. an HTTP answer
      if (ran.length < 3) scheduler.after(1_000 * ran.length, retry);
    };
    scheduler.after(500, retry);
    await scheduler.advance(10_000);
    expect(ran).toEqual([500, 1_500, 3_500]);
    expect(clock.nowMs()).toBe(10_000);
  });

  it('runs tasks due at the same time in the order they were planned; a cancelled one never runs', async () => {
    const clock = new ManualClock(0);
    const scheduler = new SandboxScheduler(clock);
    const ran: string[] = [];
    scheduler.at(100, () => ran.push('b'));
    scheduler.at(50, () => ran.push('a'));
    scheduler.at(100, () => ran.push('c'));
    const cancel = scheduler.at(60, () => ran.push('cancelled'));
    cancel();
    await scheduler.advance(100);
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('idle waits for tracked work and what it makes due', async () => {
    const clock = new ManualClock(0);
    const scheduler = new SandboxScheduler(clock);
    let done = false;
    scheduler.track(
      (async () => {
        await new Promise((resolve) => setImmediate(resolve));
        scheduler.after(0, () => (done = true));
      })(),
    );
    await scheduler.idle();
    expect(done).toBe(true);
  });

  it('a hold resolves at its time, or at once when the scheduler closes', async () => {
    const clock = new ManualClock(0);
    const scheduler = new SandboxScheduler(clock);
    const released: string[] = [];
    void scheduler.hold(30_000).then(() => released.push('timed'));
    void scheduler.hold(60_000).then(() => released.push('closed'));
    scheduler.after(45_000, () => released.push('dropped task')); // never runs: closed first
    expect(scheduler.holding()).toBe(2);
    await scheduler.advance(30_000);
    expect(released).toEqual(['timed']);
    scheduler.close();
    await Promise.resolve();
    expect(released).toEqual(['timed', 'closed']);
    clock.advance(60_000);
    expect(released).toEqual(['timed', 'closed']);
  });

  it('refuses to advance a clock it does not own, and a timeScale that is not positive', async () => {
    await expect(new SandboxScheduler(systemClock).advance(1)).rejects.toThrow(/ManualClock/);
    expect(() => new SandboxScheduler(new ManualClock(0), 0)).toThrow(/timeScale/);
  });
});

describe('SandboxScheduler on the system clock (production)', () => {
  it('arms one real timer for the earliest task, with channel delays divided by timeScale', async () => {
    vi.useFakeTimers({ now: 0 }); // fakes Date too: the system clock follows the fake timers
    const scheduler = new SandboxScheduler(systemClock, 60);
    const ran: Array<[string, number]> = [];
    scheduler.after(15_000, () => ran.push(['retry', Date.now()])); // 15 s / 60 = 250 ms
    scheduler.after(60_000, () => ran.push(['later', Date.now()])); // 1 s
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(249);
    expect(ran).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual([['retry', 250]]);
    await vi.advanceTimersByTimeAsync(750);
    expect(ran).toEqual([
      ['retry', 250],
      ['later', 1_000],
    ]);
    expect(vi.getTimerCount()).toBe(0);
    scheduler.after(1_000, () => ran.push(['never', Date.now()]));
    scheduler.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
