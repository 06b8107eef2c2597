import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { MemoryStream, type MemoryStreamOptions } from '../../src/platform/stream/memory.js';
import { NatsStream, type NatsStreamOptions } from '../../src/platform/stream/nats.js';
import type { Stream, StreamEvent } from '../../src/platform/stream/stream.js';
import { requireService } from './services.js';
import { waitUntil } from './wait.js';

export type StreamKind = 'memory' | 'nats';
export const STREAM_KINDS: StreamKind[] = ['memory', 'nats'];

export interface StreamContext {
  kind: StreamKind;
  /** One stream per suite, closed afterwards. */
  stream: Stream;
  /** Another connection to the same stream (another node); closed with the suite. */
  open(): Promise<Stream>;
}

export interface StreamSuiteOptions {
  memory?: MemoryStreamOptions;
  nats?: Omit<NatsStreamOptions, 'url' | 'streamName' | 'subjectPrefix'>;
}

/**
 * describe() once per stream: in-process always, NATS when TEST_NATS_URL is set. Each NATS suite
 * gets its own JetStream stream and subject prefix, deleted afterwards, so files run in parallel.
 * The memory suite hands out one shared MemoryStream from open() (one process = one node).
 */
export function describeEachStream(
  name: string,
  body: (ctx: StreamContext) => void,
  options: StreamSuiteOptions = {},
): void {
  for (const kind of STREAM_KINDS) {
    const available = kind === 'memory' || requireService('TEST_NATS_URL');
    describe.skipIf(!available)(`${name} [${kind}]`, () => {
      const ctx = { kind } as StreamContext;
      const opened: Stream[] = [];
      const suffix = randomBytes(5).toString('hex');
      const connect = async (): Promise<Stream> => {
        const stream =
          kind === 'memory'
            ? new MemoryStream({ retryDelayMs: () => 5, ...options.memory })
            : await NatsStream.connect({
                url: process.env.TEST_NATS_URL as string,
                streamName: `TEST_${suffix}`,
                subjectPrefix: `t${suffix}`,
                retryDelayMs: () => 20,
                ...options.nats,
              });
        opened.push(stream);
        return stream;
      };
      beforeAll(async () => {
        ctx.stream = await connect();
        ctx.open = kind === 'memory' ? async () => ctx.stream : connect;
      });
      afterAll(async () => {
        if (ctx.stream instanceof NatsStream) await ctx.stream.deleteStream();
        for (const stream of opened) await stream.close();
      });
      body(ctx);
    });
  }
}

/** Polls until predicate holds; fails after timeoutMs. For servers whose time we cannot move. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 10, what = 'condition' } = {},
): Promise<void> {
  await waitUntil(predicate, what, { timeoutMs, intervalMs });
}

/** A name no other test uses (consumer groups and topics outlive a single test). */
export function unique(label: string): string {
  return `${label}_${randomBytes(4).toString('hex')}`;
}

let seq = 0;
export function makeEvent(topic: string, payload: Record<string, unknown> = {}): StreamEvent {
  seq += 1;
  return {
    id: `evt_test${Date.now().toString(36)}${seq}${randomBytes(4).toString('hex')}`,
    topic,
    payload,
    created_at: new Date().toISOString(),
  };
}

/** Wraps a stream to record every publish call (before dedupe) and optionally fail some. */
export function recordingStream(inner: Stream, failOn?: (event: StreamEvent, index: number) => boolean) {
  const published: string[] = [];
  const stream: Stream = {
    publish: async (event) => {
      if (failOn?.(event, published.length)) throw new Error(`publish of ${event.id} failed`);
      await inner.publish(event);
      published.push(event.id);
    },
    subscribe: (consumer, topics, handler) => inner.subscribe(consumer, topics, handler),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return { stream, published };
}
