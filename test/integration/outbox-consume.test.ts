import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { inTransaction, type Db, type Tx } from '../../src/platform/db/index.js';
import type { Logger } from '../../src/platform/logger.js';
import {
  consumeOnce,
  pruneOutbox,
  pruneProcessedEvents,
  relayOnce,
  startRelay,
  writeEvent,
} from '../../src/platform/outbox/index.js';
import { MemoryStream } from '../../src/platform/stream/memory.js';
import type { StreamEvent } from '../../src/platform/stream/stream.js';
import { describeEachEngine } from '../support/db.js';
import { recordingStream, unique, waitFor } from '../support/stream.js';

const clock = new ManualClock();

function commitEvent(db: Db, topic: string): Promise<StreamEvent> {
  clock.advance(1);
  return inTransaction(db, (tx) => writeEvent(tx, { topic, payload: {} }, clock));
}

/** The effect under test: one settings row per application, so a repeat would show. */
async function record(tx: Tx, key: string): Promise<void> {
  await tx.insertInto('settings').values({ key, value: '1', updated_at: clock.now() }).execute();
}

async function settingsLike(db: Db, prefix: string): Promise<string[]> {
  const rows = await db.selectFrom('settings').select('key').where('key', 'like', `${prefix}%`).execute();
  return rows.map((r) => r.key).sort();
}

describeEachEngine('consumeOnce', (ctx) => {
  it('runs fn for the first delivery and skips repeats, per consumer', async () => {
    const { db } = ctx.database;
    const event = { id: unique('evt') };
    const key = unique('fx');
    expect(await consumeOnce(db, 'ledger', event, (tx) => record(tx, `${key}:1`), clock)).toBe(true);
    expect(await consumeOnce(db, 'ledger', event, (tx) => record(tx, `${key}:2`), clock)).toBe(false);
    expect(await consumeOnce(db, 'profiles', event, (tx) => record(tx, `${key}:3`), clock)).toBe(true);
    expect(await settingsLike(db, key)).toEqual([`${key}:1`, `${key}:3`]);
  });

  it('keeps no marker when fn throws, so the redelivery applies it', async () => {
    const { db } = ctx.database;
    const event = { id: unique('evt') };
    const key = unique('fx');
    await expect(
      consumeOnce(db, 'ledger', event, async (tx) => {
        await record(tx, `${key}:partial`);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    const markers = await db
      .selectFrom('processed_events')
      .select('event_id')
      .where('event_id', '=', event.id)
      .execute();
    expect(markers).toEqual([]);
    expect(await consumeOnce(db, 'ledger', event, (tx) => record(tx, `${key}:done`), clock)).toBe(true);
    expect(await settingsLike(db, key)).toEqual([`${key}:done`]);
  });

  it('applies an event once when 10 deliveries race', async () => {
    const { db } = ctx.database;
    const event = { id: unique('evt') };
    const key = unique('fx');
    let runs = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        consumeOnce(db, 'ledger', event, async (tx) => {
          runs += 1;
          await record(tx, `${key}:${i}`);
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(1);
    expect(await settingsLike(db, key)).toHaveLength(1);
  });
});

describeEachEngine('outbox relay', (ctx) => {
  it('marks what it published before a publish failed, and rethrows', async () => {
    const { db } = ctx.database;
    const topic = unique('t');
    const events = [await commitEvent(db, topic), await commitEvent(db, topic), await commitEvent(db, topic)];
    const flaky = recordingStream(new MemoryStream(), (_, index) => index === 1);
    await expect(relayOnce(db, flaky.stream, { batch: 10, clock })).rejects.toThrow(/publish of .* failed/);
    expect(flaky.published).toEqual([events[0]?.id]);
    const pending = await db
      .selectFrom('outbox')
      .select('id')
      .where('published_at', 'is', null)
      .orderBy('id')
      .execute();
    expect(pending.map((r) => r.id)).toEqual([events[1]?.id, events[2]?.id]);
    const healthy = recordingStream(new MemoryStream());
    expect(await relayOnce(db, healthy.stream, { batch: 10, clock })).toBe(2);
    expect(healthy.published).toEqual([events[1]?.id, events[2]?.id]);
  });

  it('refuses a malformed topic before writing anything', async () => {
    const { db } = ctx.database;
    await expect(
      inTransaction(db, (tx) => writeEvent(tx, { topic: 'bad topic', payload: {} }, clock)),
    ).rejects.toThrow(/topic/);
    const pending = await db.selectFrom('outbox').select('id').where('topic', '=', 'bad topic').execute();
    expect(pending).toEqual([]);
  });

  it('startRelay publishes in the background until stopped', async () => {
    const { db } = ctx.database;
    const stream = new MemoryStream();
    const topic = unique('bg');
    const got: string[] = [];
    await stream.subscribe('g', topic, async (e) => void got.push(e.id));
    const first = await commitEvent(db, topic);
    const stop = startRelay(db, stream, { intervalMs: 5, clock, batch: 2 });
    await waitFor(() => got.length === 1, { what: 'background relay' });
    await stop();
    await commitEvent(db, topic); // the stopped loop must leave this one alone
    expect(await relayOnce(db, stream, { batch: 10, clock })).toBe(1);
    expect(got[0]).toBe(first.id);
    await stream.close();
  });

  it('startRelay logs a failed round and keeps going', async () => {
    const { db } = ctx.database;
    const topic = unique('bg');
    const warnings: string[] = [];
    const logger = {
      warn: (_: unknown, message: string) => void warnings.push(message),
    } as unknown as Logger;
    let failures = 0;
    const flaky = recordingStream(new MemoryStream(), () => failures++ < 2);
    await commitEvent(db, topic);
    const stop = startRelay(db, flaky.stream, { intervalMs: 1, clock, logger });
    await waitFor(() => flaky.published.length === 1, { what: 'relay after failures' });
    await stop();
    expect(warnings).toEqual(['outbox relay round failed', 'outbox relay round failed']);
  });
});

describeEachEngine('outbox pruning', (ctx) => {
  it('deletes published outbox rows older than the cutoff, never unpublished ones', async () => {
    const { db } = ctx.database;
    const topic = unique('t');
    const old = [await commitEvent(db, topic), await commitEvent(db, topic)];
    expect(await relayOnce(db, new MemoryStream(), { batch: 10, clock })).toBe(2);
    const publishedAt = clock.nowMs();
    clock.advance(3_600_000);
    const pending = await commitEvent(db, topic); // written long ago by the clock, but unpublished
    expect(await pruneOutbox(db, new Date(publishedAt))).toBe(0); // strictly older only
    expect(await pruneOutbox(db, new Date(publishedAt + 1))).toBe(2);
    expect(await pruneOutbox(db, new Date(clock.nowMs() + 86_400_000))).toBe(0);
    const left = await db.selectFrom('outbox').select('id').execute();
    expect(left.map((r) => r.id)).toEqual([pending.id]);
    expect(old.map((e) => e.id)).not.toContain(pending.id);
  });

  it('deletes processed-event markers older than the cutoff', async () => {
    const { db } = ctx.database;
    const older = { id: unique('evt') };
    const newer = { id: unique('evt') };
    await consumeOnce(db, 'c', older, async () => undefined, clock);
    clock.advance(1_000);
    await consumeOnce(db, 'c', newer, async () => undefined, clock);
    expect(await pruneProcessedEvents(db, clock.now())).toBe(1);
    const left = await db.selectFrom('processed_events').select('event_id').execute();
    expect(left.map((r) => r.event_id)).toEqual([newer.id]);
    // Once forgotten, a late repeat is applied again: why the cutoff must outlast redelivery.
    expect(await consumeOnce(db, 'c', older, async () => undefined, clock)).toBe(true);
  });
});
