import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { createStream } from '../../src/platform/stream/index.js';
import type { NatsStream } from '../../src/platform/stream/nats.js';
import { OUTCOMES_CONSUMER, PAYMENTS_CONSUMER } from '../../src/risk/events.js';
import { requireService } from '../support/services.js';
import { makeEvent, unique, waitFor } from '../support/stream.js';

/**
 * NATS_STREAM_PREFIX: two installations on one NATS cluster, each with its own prefix, have their
 * own stream, subjects and durable consumers, even for consumers of the same name (the risk ones).
 */
describe.skipIf(!requireService('TEST_NATS_URL'))('NATS_STREAM_PREFIX', () => {
  const url = process.env.TEST_NATS_URL as string;

  it('is read from the environment and checked', () => {
    expect(loadConfig({ NATS_STREAM_PREFIX: 'STAGING' } as NodeJS.ProcessEnv).natsStreamPrefix).toBe(
      'STAGING',
    );
    expect(loadConfig({} as NodeJS.ProcessEnv).natsStreamPrefix).toBe('JUHEPAY');
    expect(() => loadConfig({ NATS_STREAM_PREFIX: 'bad prefix' } as NodeJS.ProcessEnv)).toThrow(
      /NATS_STREAM_PREFIX/,
    );
  });

  it('names every stream, subject and consumer, so two installations share a cluster without mixing', async () => {
    const prefixes = [unique('STAGING').toUpperCase(), unique('PROD').toUpperCase()];
    const streams = await Promise.all(prefixes.map((prefix) => createStream({ natsUrl: url, prefix })));
    const nc = await connect({ servers: url });
    try {
      const seen = prefixes.map(() => [] as string[]);
      for (const [i, stream] of streams.entries())
        for (const group of [OUTCOMES_CONSUMER, PAYMENTS_CONSUMER])
          await stream.subscribe(
            group,
            'order.succeeded',
            async (e) => void seen[i]!.push(`${group}:${e.id}`),
          );
      const events = streams.map(() => makeEvent('order.succeeded'));
      for (const [i, stream] of streams.entries()) await stream.publish(events[i]!);
      await waitFor(() => seen.every((s) => s.length === 2), { what: 'each installation to see its event' });
      for (const [i, s] of seen.entries())
        expect(s.sort()).toEqual([
          `${OUTCOMES_CONSUMER}:${events[i]!.id}`,
          `${PAYMENTS_CONSUMER}:${events[i]!.id}`,
        ]);

      const jsm = await jetstreamManager(nc);
      for (const [i, prefix] of prefixes.entries()) {
        const info = await jsm.streams.info(prefix);
        expect(info.config.subjects).toEqual([`${prefix.toLowerCase()}.>`]);
        expect(info.state.messages).toBe(1);
        const consumers: string[] = [];
        for await (const c of jsm.consumers.list(prefix)) consumers.push(c.name);
        expect(consumers.sort()).toEqual([
          `${prefix}_${OUTCOMES_CONSUMER}`,
          `${prefix}_${PAYMENTS_CONSUMER}`,
        ]);
        expect((streams[i] as NatsStream).streamName).toBe(prefix);
      }
    } finally {
      for (const stream of streams) {
        await (stream as NatsStream).deleteStream();
        await stream.close();
      }
      await nc.close();
    }
  });
});
