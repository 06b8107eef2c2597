import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/platform/logger.js';
import type { FaultMode, NotificationSpec, SandboxChannel } from '../../src/sandbox/context.js';
import { FaultTable } from '../../src/sandbox/faults.js';
import { HttpNotifier } from '../../src/sandbox/notifier.js';
import { startNotifyReceiver, type ReceivedNotification } from '../support/sandbox.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(
  respond: (n: ReceivedNotification, i: number) => { status: number; body?: string },
  timeScale = 1000,
) {
  const faults = new FaultTable();
  const notifier = new HttpNotifier(faults, systemClock, timeScale, silentLogger);
  const receiver = await startNotifyReceiver(respond);
  cleanup.push(
    () => notifier.close(),
    () => receiver.close(),
  );
  const fault = (channel: SandboxChannel, mode: FaultMode) =>
    faults.set({ channel, operation: 'notify', mode, count: 1 });
  return { notifier, receiver, fault };
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

async function until(condition: () => boolean, what: string, timeoutMs = 3_000) {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('HttpNotifier', () => {
  it('uses the channel ack rule: a 200 without the body `success` is not an ack for Alipay-style rules', async () => {
    const { notifier, receiver } = await setup((_n, i) =>
      i === 0 ? { status: 200, body: 'ok' } : { status: 200, body: 'success' },
    );
    const s = spec(receiver.url, { isAck: (status, body) => status === 200 && body === 'success' });
    notifier.send(s);
    await until(() => notifier.pending() === 0, 'the ack');
    expect(receiver.received).toHaveLength(2);
    expect(notifier.history()[0]!.attempts.map((a) => a.acked)).toEqual([false, true]);
    expect(s.builds()).toBe(2); // built afresh for every attempt
    expect(receiver.received.map((n) => n.body)).toEqual(['test #1', 'test #2']);
  });

  it('retries on the schedule divided by timeScale, then gives up', async () => {
    const { notifier, receiver } = await setup(() => ({ status: 500 }), 1000); // 10 s → 10 ms, 20 s → 20 ms
    notifier.send(spec(receiver.url));
    await until(() => notifier.history()[0]!.done, 'the schedule to end');
    expect(receiver.received).toHaveLength(3);
    const [a, b, c] = receiver.received as [ReceivedNotification, ReceivedNotification, ReceivedNotification];
    expect(b.at - a.at).toBeGreaterThanOrEqual(9);
    expect(c.at - b.at).toBeGreaterThanOrEqual(19);
    expect(notifier.pending()).toBe(0);
    expect(notifier.history()[0]!.attempts.every((x) => x.status === 500 && !x.acked)).toBe(true);
  });

  it('a larger timeScale waits proportionally less (and a smaller one more)', async () => {
    const { notifier, receiver } = await setup((_n, i) => ({ status: i === 0 ? 500 : 200 }), 50); // 10 s → 200 ms
    notifier.send(spec(receiver.url));
    await until(() => receiver.received.length === 2, 'the retry');
    expect(receiver.received[1]!.at - receiver.received[0]!.at).toBeGreaterThanOrEqual(190);
  });

  it('an unreachable endpoint is recorded as an error and retried', async () => {
    const { notifier } = await setup(() => ({ status: 200 }));
    notifier.send(spec('http://127.0.0.1:9/notify', { retryDelaysMs: [1_000] }));
    await until(() => notifier.history()[0]!.done, 'the schedule to end');
    const attempts = notifier.history()[0]!.attempts;
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => a.status === null && typeof a.error === 'string')).toBe(true);
  });

  it('duplicate_notify: the first delivery goes out twice; only one drives the schedule', async () => {
    const { notifier, receiver, fault } = await setup(() => ({ status: 200 }));
    fault('unionpay', 'duplicate_notify');
    notifier.send(spec(receiver.url));
    await until(() => receiver.received.length === 2, 'two deliveries');
    await until(() => notifier.pending() === 0, 'the ack');
    await new Promise((r) => setTimeout(r, 40));
    expect(receiver.received).toHaveLength(2);
  });

  it('delay_notify: the first delivery comes 60 s (scaled) late', async () => {
    const { notifier, receiver, fault } = await setup(() => ({ status: 200 }), 1000);
    fault('unionpay', 'delay_notify');
    const sent = Date.now();
    notifier.send(spec(receiver.url));
    await new Promise((r) => setTimeout(r, 20));
    expect(receiver.received).toHaveLength(0);
    await until(() => receiver.received.length === 1, 'the late delivery');
    expect(receiver.received[0]!.at - sent).toBeGreaterThanOrEqual(55);
  });

  it('drop_notify: the first attempt is lost, the retry follows the schedule', async () => {
    const { notifier, receiver, fault } = await setup(() => ({ status: 200 }));
    fault('unionpay', 'drop_notify');
    notifier.send(spec(receiver.url));
    await until(() => receiver.received.length === 1, 'the retry');
    expect(notifier.history()[0]!.attempts[0]).toMatchObject({
      status: null,
      acked: false,
      error: 'dropped (fault)',
    });
    expect(receiver.received[0]!.body).toBe('test #1'); // the dropped attempt was never built or sent
  });

  it('reorder_notify: held back and sent right after the next notification of the same channel only', async () => {
    const { notifier, receiver, fault } = await setup(() => ({ status: 200 }));
    fault('unionpay', 'reorder_notify');
    notifier.send(spec(receiver.url, { label: 'first' }));
    notifier.send(spec(receiver.url, { channel: 'wechatpay', label: 'other-channel' }));
    await until(() => receiver.received.length === 1, 'the other channel');
    await new Promise((r) => setTimeout(r, 30));
    expect(receiver.received.map((n) => n.body)).toEqual(['other-channel #1']);
    expect(notifier.pending()).toBe(1); // still held
    notifier.send(spec(receiver.url, { label: 'second' }));
    await until(() => receiver.received.length === 3, 'both unionpay deliveries');
    expect(notifier.history().map((h) => h.label)).toEqual(['first', 'other-channel', 'second']);
    expect(receiver.received.map((n) => n.body).sort()).toEqual([
      'first #1',
      'other-channel #1',
      'second #1',
    ]);
  });

  it('close() stops pending retries', async () => {
    const { notifier, receiver } = await setup(() => ({ status: 500 }), 100); // retry at 100 ms
    notifier.send(spec(receiver.url));
    await until(() => receiver.received.length === 1, 'the first delivery');
    await notifier.close();
    await new Promise((r) => setTimeout(r, 250));
    expect(receiver.received).toHaveLength(1);
  });
});
