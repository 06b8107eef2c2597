import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/platform/logger.js';
import type { FaultMode, NotificationSpec, SandboxChannel } from '../../src/sandbox/context.js';
import { FaultTable } from '../../src/sandbox/faults.js';
import { HttpNotifier } from '../../src/sandbox/notifier.js';
import { SandboxScheduler } from '../../src/sandbox/scheduler.js';
import { startNotifyReceiver, type ReceivedNotification } from '../support/sandbox.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(respond: (n: ReceivedNotification, i: number) => { status: number; body?: string }) {
  const faults = new FaultTable();
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  const scheduler = new SandboxScheduler(clock);
  const notifier = new HttpNotifier(faults, clock, scheduler, silentLogger);
  const receiver = await startNotifyReceiver(respond);
  cleanup.push(
    async () => scheduler.close(),
    () => notifier.close(),
    () => receiver.close(),
  );
  const fault = (channel: SandboxChannel, mode: FaultMode) =>
    faults.set({ channel, operation: 'notify', mode, count: 1 });
  /** clock milliseconds since the start, of each attempt */
  const attemptTimes = (i = 0) =>
    notifier.history()[i]!.attempts.map((a) => Date.parse(a.at) - Date.UTC(2026, 2, 1));
  return { notifier, receiver, fault, scheduler, clock, attemptTimes };
}

function spec(
  url: string,
  over: Partial<NotificationSpec> = {},
): NotificationSpec & { builds: () => number } {
  let builds = 0;
  return {
    channel: 'unionpay',
    label: 'test',
    url,
    build: () => ({
      headers: { 'content-type': 'text/plain' },
      body: `${over.label ?? 'test'} #${++builds}`,
    }),
    isAck: (status) => status === 200,
    retryDelaysMs: [10_000, 20_000],
    builds: () => builds,
    ...over,
  };
}

describe('HttpNotifier', () => {
  it('uses the channel ack rule: a 200 without the body `success` is not an ack for Alipay-style rules', async () => {
    const { notifier, receiver, scheduler } = await setup((_n, i) =>
      i === 0 ? { status: 200, body: 'ok' } : { status: 200, body: 'success' },
    );
    const s = spec(receiver.url, { isAck: (status, body) => status === 200 && body === 'success' });
    notifier.send(s);
    await scheduler.advance(10_000);
    expect(notifier.pending()).toBe(0);
    expect(receiver.received).toHaveLength(2);
    expect(notifier.history()[0]!.attempts.map((a) => a.acked)).toEqual([false, true]);
    expect(s.builds()).toBe(2); // built afresh for every attempt
    expect(receiver.received.map((n) => n.body)).toEqual(['test #1', 'test #2']);
  });

  it('retries on the schedule, each delay counted from the attempt before, then gives up', async () => {
    const { notifier, receiver, scheduler, attemptTimes } = await setup(() => ({ status: 500 }));
    notifier.send(spec(receiver.url));
    await scheduler.advance(9_999);
    expect(receiver.received).toHaveLength(1); // 1 ms before the first retry
    await scheduler.advance(60_000);
    expect(receiver.received).toHaveLength(3);
    expect(attemptTimes()).toEqual([0, 10_000, 30_000]);
    expect(notifier.pending()).toBe(0);
    expect(notifier.history()[0]!.done).toBe(true);
    expect(notifier.history()[0]!.attempts.every((x) => x.status === 500 && !x.acked)).toBe(true);
    await scheduler.advance(24 * 3_600_000);
    expect(receiver.received).toHaveLength(3); // given up: nothing more, however long
  });

  it('a larger timeScale divides the channel delays (SANDBOX_TIME_SCALE)', async () => {
    const faults = new FaultTable();
    const clock = new ManualClock(0);
    const scheduler = new SandboxScheduler(clock, 50);
    const notifier = new HttpNotifier(faults, clock, scheduler, silentLogger);
    const receiver = await startNotifyReceiver((_n, i) => ({ status: i === 0 ? 500 : 200 }));
    cleanup.push(
      async () => scheduler.close(),
      () => receiver.close(),
    );
    notifier.send(spec(receiver.url));
    await scheduler.advance(199);
    expect(receiver.received).toHaveLength(1);
    await scheduler.advance(1); // 10 s / 50 = 200 ms
    expect(receiver.received).toHaveLength(2);
    expect(notifier.pending()).toBe(0);
  });

  it('an unreachable endpoint is recorded as an error and retried', async () => {
    const { notifier, scheduler } = await setup(() => ({ status: 200 }));
    notifier.send(spec('http://127.0.0.1:9/notify', { retryDelaysMs: [1_000] }));
    await scheduler.advance(1_000);
    expect(notifier.history()[0]!.done).toBe(true);
    const attempts = notifier.history()[0]!.attempts;
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => a.status === null && typeof a.error === 'string')).toBe(true);
  });

  it('duplicate_notify: the first delivery goes out twice; only one drives the schedule', async () => {
    const { notifier, receiver, fault, scheduler } = await setup(() => ({ status: 200 }));
    fault('unionpay', 'duplicate_notify');
    notifier.send(spec(receiver.url));
    await scheduler.advance(0);
    expect(receiver.received).toHaveLength(2);
    expect(notifier.pending()).toBe(0);
    expect(scheduler.scheduled()).toBe(0); // no retry planned by the twin
    await scheduler.advance(60_000);
    expect(receiver.received).toHaveLength(2);
  });

  it('delay_notify: the first delivery comes 60 s late', async () => {
    const { notifier, receiver, fault, scheduler, attemptTimes } = await setup(() => ({ status: 200 }));
    fault('unionpay', 'delay_notify');
    notifier.send(spec(receiver.url));
    await scheduler.advance(59_999);
    expect(receiver.received).toHaveLength(0);
    await scheduler.advance(1);
    expect(receiver.received).toHaveLength(1);
    expect(attemptTimes()).toEqual([60_000]);
  });

  it('drop_notify: the first attempt is lost, the retry follows the schedule', async () => {
    const { notifier, receiver, fault, scheduler, attemptTimes } = await setup(() => ({ status: 200 }));
    fault('unionpay', 'drop_notify');
    notifier.send(spec(receiver.url));
    await scheduler.advance(9_999);
    expect(receiver.received).toHaveLength(0);
    await scheduler.advance(1);
    expect(receiver.received).toHaveLength(1);
    expect(notifier.history()[0]!.attempts[0]).toMatchObject({
      status: null,
      acked: false,
      error: 'dropped (fault)',
    });
    expect(attemptTimes()).toEqual([0, 10_000]);
    expect(receiver.received[0]!.body).toBe('test #1'); // the dropped attempt was never built or sent
  });

  it('reorder_notify: held back and sent right after the next notification of the same channel only', async () => {
    const { notifier, receiver, fault, scheduler } = await setup(() => ({ status: 200 }));
    fault('unionpay', 'reorder_notify');
    notifier.send(spec(receiver.url, { label: 'first' }));
    notifier.send(spec(receiver.url, { channel: 'wechatpay', label: 'other-channel' }));
    await scheduler.advance(3_600_000);
    expect(receiver.received.map((n) => n.body)).toEqual(['other-channel #1']);
    expect(notifier.pending()).toBe(1); // still held, however long
    notifier.send(spec(receiver.url, { label: 'second' }));
    await scheduler.idle();
    expect(notifier.history().map((h) => h.label)).toEqual(['first', 'other-channel', 'second']);
    expect(receiver.received.map((n) => n.body)).toEqual(['other-channel #1', 'second #1', 'first #1']);
    expect(notifier.pending()).toBe(0);
  });

  it('close() stops pending retries', async () => {
    const { notifier, receiver, scheduler } = await setup(() => ({ status: 500 }));
    notifier.send(spec(receiver.url));
    await scheduler.idle();
    expect(receiver.received).toHaveLength(1);
    expect(scheduler.scheduled()).toBe(1); // the retry
    await notifier.close();
    await scheduler.advance(60_000);
    expect(receiver.received).toHaveLength(1);
  });
});
