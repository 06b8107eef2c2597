import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createStream, MemoryStream } from '../../src/platform/stream/index.js';
import { NatsStream } from '../../src/platform/stream/nats.js';
import type { StreamEvent } from '../../src/platform/stream/stream.js';
import { topicMatches } from '../../src/platform/stream/topics.js';
import { requireService } from '../support/services.js';
import { describeEachStream, makeEvent, unique, waitFor } from '../support/stream.js';

/** Records what a handler saw, by event id. */
function recorder() {
  const seen: StreamEvent[] = [];
  return {
    seen,
    ids: () => seen.map((e) => e.id),
    handler: async (event: StreamEvent) => {
      seen.push(event);
    },
  };
}

describeEachStream('stream contract', (ctx) => {
  it('delivers a published event to a subscriber, intact', async () => {
    const topic = unique('order');
    const got = recorder();
    const sub = await ctx.stream.subscribe(unique('g'), `${topic}.*`, got.handler);
    const event = makeEvent(`${topic}.succeeded`, { amount: 100, nested: { ok: true }, list: [1, 'a'] });
    await ctx.stream.publish(event);
    await waitFor(() => got.seen.length === 1, { what: 'delivery' });
    expect(got.seen[0]).toEqual(event);
    await sub.stop();
  });

  it('redelivers an event whose handler threw, until it succeeds', async () => {
    const topic = unique('flaky');
    let attempts = 0;
    const handled: string[] = [];
    const sub = await ctx.stream.subscribe(unique('g'), topic, async (event) => {
      attempts += 1;
      if (attempts === 1) throw new Error('transient failure');
      handled.push(event.id);
    });
    const event = makeEvent(topic);
    await ctx.stream.publish(event);
    await waitFor(() => handled.length === 1, { what: 'redelivery' });
    expect(attempts).toBe(2);
    expect(handled).toEqual([event.id]);
    await sub.stop();
  });

  it('splits a group’s messages between its members, none handled by both', async () => {
    const topic = unique('split');
    const group = unique('g');
    const other = await ctx.open(); // the second member sits on another connection (node)
    const a = recorder();
    const b = recorder();
    const slow = (r: ReturnType<typeof recorder>) => async (e: StreamEvent) => {
      await new Promise((resolve) => setTimeout(resolve, 2)); // let the other member pull too
      await r.handler(e);
    };
    const subA = await ctx.stream.subscribe(group, topic, slow(a));
    const subB = await other.subscribe(group, topic, slow(b));
    const events = Array.from({ length: 40 }, (_, i) => makeEvent(topic, { i }));
    for (const e of events) await ctx.stream.publish(e);
    await waitFor(() => a.seen.length + b.seen.length >= events.length, { what: 'all 40 events' });
    const both = a.ids().filter((id) => b.ids().includes(id));
    expect(both).toEqual([]);
    expect(new Set([...a.ids(), ...b.ids()])).toEqual(new Set(events.map((e) => e.id)));
    expect(a.seen.length).toBeGreaterThan(0);
    expect(b.seen.length).toBeGreaterThan(0);
    await Promise.all([subA.stop(), subB.stop()]);
  });

  it('gives every group every message', async () => {
    const topic = unique('fan');
    const a = recorder();
    const b = recorder();
    const subA = await ctx.stream.subscribe(unique('ga'), topic, a.handler);
    const subB = await ctx.stream.subscribe(unique('gb'), topic, b.handler);
    const events = Array.from({ length: 10 }, () => makeEvent(topic));
    for (const e of events) await ctx.stream.publish(e);
    await waitFor(() => a.seen.length === 10 && b.seen.length === 10, { what: 'both groups' });
    expect(a.ids().sort()).toEqual(events.map((e) => e.id).sort());
    expect(b.ids().sort()).toEqual(events.map((e) => e.id).sort());
    await Promise.all([subA.stop(), subB.stop()]);
  });

  it('filters by topic: * is one segment, > is the rest', async () => {
    const root = unique('risk');
    const one = recorder();
    const rest = recorder();
    const subOne = await ctx.stream.subscribe(unique('g1'), `${root}.*`, one.handler);
    const subRest = await ctx.stream.subscribe(unique('g2'), `${root}.>`, rest.handler);
    const shallow = makeEvent(`${root}.hit`);
    const deep = makeEvent(`${root}.list.added`);
    const elsewhere = makeEvent(`${unique('other')}.hit`);
    for (const e of [elsewhere, deep, shallow]) await ctx.stream.publish(e);
    const sentinel = makeEvent(`${root}.done`); // delivered last to both: after it, nothing else comes
    await ctx.stream.publish(sentinel);
    await waitFor(() => one.ids().includes(sentinel.id) && rest.ids().includes(sentinel.id), {
      what: 'sentinel',
    });
    expect(one.ids()).toEqual([shallow.id, sentinel.id]);
    expect(rest.ids()).toEqual([deep.id, shallow.id, sentinel.id]);
    await Promise.all([subOne.stop(), subRest.stop()]);
  });

  it('drops a republish of the same event id', async () => {
    const topic = unique('dup');
    const got = recorder();
    const sub = await ctx.stream.subscribe(unique('g'), topic, got.handler);
    const event = makeEvent(topic);
    await ctx.stream.publish(event);
    await ctx.stream.publish({ ...event });
    const sentinel = makeEvent(topic);
    await ctx.stream.publish(sentinel);
    await waitFor(() => got.ids().includes(sentinel.id), { what: 'sentinel' });
    expect(got.ids()).toEqual([event.id, sentinel.id]);
    await sub.stop();
  });

  it('a group gets events from its first subscribe on, including those sent while no member listened', async () => {
    const topic = unique('durable');
    const group = unique('g');
    const before = makeEvent(topic);
    await ctx.stream.publish(before); // the group does not exist yet
    const first = recorder();
    const sub = await ctx.stream.subscribe(group, topic, first.handler);
    const during = makeEvent(topic);
    await ctx.stream.publish(during);
    await waitFor(() => first.seen.length === 1, { what: 'first delivery' });
    await sub.stop();
    const whileAway = makeEvent(topic);
    await ctx.stream.publish(whileAway);
    const second = recorder();
    const again = await ctx.stream.subscribe(group, topic, second.handler);
    await waitFor(() => second.seen.length === 1, { what: 'delivery after resubscribe' });
    expect(first.ids()).toEqual([during.id]);
    expect(second.ids()).toEqual([whileAway.id]);
    await again.stop();
  });

  it('a stopped member gets no more messages', async () => {
    const topic = unique('stop');
    const got = recorder();
    const sub = await ctx.stream.subscribe(unique('g'), topic, got.handler);
    await sub.stop();
    await ctx.stream.publish(makeEvent(topic));
    const watcher = recorder();
    const watch = await ctx.stream.subscribe(unique('w'), topic, watcher.handler);
    const sentinel = makeEvent(topic);
    await ctx.stream.publish(sentinel);
    await waitFor(() => watcher.seen.length === 1, { what: 'watcher' });
    expect(got.seen).toEqual([]);
    await watch.stop();
  });

  it('refuses malformed topics, filters and consumer names', async () => {
    await expect(ctx.stream.publish(makeEvent('a..b'))).rejects.toThrow(/topic/);
    await expect(ctx.stream.publish(makeEvent('a.*'))).rejects.toThrow(/topic/);
    await expect(ctx.stream.subscribe('g', 'a.>.b', async () => undefined)).rejects.toThrow(/filter/);
    await expect(ctx.stream.subscribe('g.x', 'a', async () => undefined)).rejects.toThrow(/consumer/);
  });

  it('refuses a second subscribe to a group with a different filter', async () => {
    const group = unique('g');
    const sub = await ctx.stream.subscribe(group, 'a.*', async () => undefined);
    await expect(ctx.stream.subscribe(group, 'b.*', async () => undefined)).rejects.toThrow(
      /already subscribes/,
    );
    const again = await ctx.stream.subscribe(group, 'a.*', async () => undefined); // same filter: a new member
    await Promise.all([sub.stop(), again.stop()]);
  });

  it('answers a ping', async () => {
    await expect(ctx.stream.ping()).resolves.toBeUndefined();
  });
});

describe('memory stream', () => {
  it('keeps a group in order while redelivering a failed message', async () => {
    const stream = new MemoryStream({ retryDelayMs: () => 1 });
    const order: number[] = [];
    let failures = 0;
    await stream.subscribe('g', 'seq', async (e) => {
      const n = e.payload.n as number;
      if (n === 2 && failures++ < 3) throw new Error('not yet');
      order.push(n);
    });
    for (let n = 0; n < 6; n++) await stream.publish(makeEvent('seq', { n }));
    await waitFor(() => order.length === 6, { what: 'six events' });
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(failures).toBe(4);
    await stream.close();
  });

  it('forgets event ids once the dedupe window has passed on the injected clock', async () => {
    const clock = new ManualClock();
    const stream = new MemoryStream({ clock, dedupeWindowMs: 1_000 });
    const got: string[] = [];
    await stream.subscribe('g', 't', async (e) => void got.push(e.id));
    const event = makeEvent('t');
    await stream.publish(event);
    clock.advance(999);
    await stream.publish(event); // within the window: dropped
    clock.advance(1);
    await stream.publish(event); // window over: delivered again
    await waitFor(() => got.length === 2, { what: 'two deliveries' });
    expect(got).toEqual([event.id, event.id]);
    await stream.close();
    await expect(stream.publish(makeEvent('t'))).rejects.toThrow(/closed/);
  });

  it('createStream without a NATS URL is in-process', async () => {
    const stream = await createStream({});
    expect(stream).toBeInstanceOf(MemoryStream);
    await stream.close();
  });
});

describe('topic matching', () => {
  it('follows NATS subject rules', () => {
    expect(topicMatches('a.*', 'a.b')).toBe(true);
    expect(topicMatches('a.*', 'a.b.c')).toBe(false);
    expect(topicMatches('a.*', 'a')).toBe(false);
    expect(topicMatches('a.>', 'a.b.c')).toBe(true);
    expect(topicMatches('a.>', 'a')).toBe(false);
    expect(topicMatches('*.b', 'x.b')).toBe(true);
    expect(topicMatches('a.b', 'a.b')).toBe(true);
    expect(topicMatches('a.b', 'a.c')).toBe(false);
  });
});

describe.skipIf(!requireService('TEST_NATS_URL'))('nats stream', () => {
  const url = process.env.TEST_NATS_URL as string;

  it('hands a stopped member’s pulled-but-unhandled messages to the others well before ack wait', async () => {
    const name = unique('T').toUpperCase();
    // Ack wait far above the wait below: only the nak on stop can explain the handover.
    const options = {
      url,
      streamName: name,
      subjectPrefix: name.toLowerCase(),
      ackWaitMs: 60_000,
      batch: 50,
      pullExpiresMs: 1_000,
    };
    const a = await NatsStream.connect(options);
    const b = await NatsStream.connect(options);
    try {
      const seenA: string[] = [];
      const seenB: string[] = [];
      const subA = await a.subscribe('g', 'x', async (e) => {
        seenA.push(e.id);
        await new Promise((resolve) => setTimeout(resolve, 10));
      });
      const events = Array.from({ length: 30 }, () => makeEvent('x'));
      for (const e of events) await a.publish(e);
      await waitFor(() => seenA.length >= 2, { what: 'member A to start' });
      const stoppedAt = Date.now();
      await subA.stop();
      const handledByA = seenA.length;
      expect(handledByA).toBeLessThan(30);
      const subB = await b.subscribe('g', 'x', async (e) => void seenB.push(e.id));
      await waitFor(() => seenA.length + seenB.length >= 30, { timeoutMs: 10_000, what: 'handover' });
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(2_000); // nak delay: pull expiry + 1 s
      expect(seenA).toHaveLength(handledByA); // A did nothing after stop resolved
      expect(new Set([...seenA, ...seenB])).toEqual(new Set(events.map((e) => e.id)));
      expect(seenB).toHaveLength(30 - handledByA); // nothing twice
      await subB.stop();
    } finally {
      await a.deleteStream();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('createStream with a NATS URL connects to JetStream and creates the stream', async () => {
    const name = unique('T').toUpperCase();
    const stream = await createStream({ natsUrl: url, streamName: name, subjectPrefix: name.toLowerCase() });
    try {
      expect(stream).toBeInstanceOf(NatsStream);
      await stream.ping();
    } finally {
      await (stream as NatsStream).deleteStream();
      await stream.close();
    }
    await expect(NatsStream.connect({ url, subjectPrefix: 'bad prefix' })).rejects.toThrow(/topic/);
  });
});
