import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { inTransaction, type Db, type Tx } from '../../src/platform/db/index.js';
import { consumeOnce, relayOnce, writeEvent } from '../../src/platform/outbox/index.js';
import type { Stream, StreamEvent } from '../../src/platform/stream/stream.js';
import { describeEachEngine } from '../support/db.js';
import { describeEachStream, recordingStream, unique, waitFor } from '../support/stream.js';

const clock = new ManualClock();

/** Commits one event (and nothing else) and returns it. */
function commitEvent(db: Db, topic: string, payload: Record<string, unknown> = {}): Promise<StreamEvent> {
  clock.advance(1);
  return inTransaction(db, (tx) => writeEvent(tx, { topic, payload }, clock));
}

/** The effect a consumer applies: a counter in `settings`, read and written in the consumer's tx. */
async function bump(tx: Tx, key: string): Promise<void> {
  const row = await tx.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  const next = JSON.stringify(((row?.value as number | undefined) ?? 0) + 1);
  await tx
    .insertInto('settings')
    .values({ key, value: next, updated_at: clock.now() })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: next }))
    .execute();
}

async function settingValue(db: Db, key: string): Promise<unknown> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

async function counter(db: Db, key: string): Promise<number> {
  return ((await settingValue(db, key)) as number | undefined) ?? 0;
}

/** Subscribes a group that records every delivery in order. */
async function listen(stream: Stream, topic: string) {
  const seen: StreamEvent[] = [];
  const sub = await stream.subscribe(unique('g'), topic, async (e) => void seen.push(e));
  return { seen, ids: () => seen.map((e) => e.id), stop: () => sub.stop() };
}

describeEachEngine('outbox', (dbctx) => {
  // Memory without publish dedupe, so a republish reaches the consumer as it would past a window.
  describeEachStream(
    'relay',
    (ctx) => {
      const relay = (stream: Stream = ctx.stream, batch = 100) =>
        relayOnce(dbctx.database.db, stream, { batch, clock });

      it('delivers an event committed together with a state change', async () => {
        const { db } = dbctx.database;
        const topic = unique('merchant');
        const key = unique('setting');
        const got = await listen(ctx.stream, topic);
        clock.advance(1);
        const event = await inTransaction(db, async (tx) => {
          await tx.insertInto('settings').values({ key, value: '"on"', updated_at: clock.now() }).execute();
          return writeEvent(tx, { topic, payload: { key, amount: 1234, tags: ['a'] } }, clock);
        });
        expect(event.id).toMatch(/^evt_/);
        expect(await relay()).toBe(1);
        await waitFor(() => got.seen.length === 1, { what: 'delivery' });
        expect(got.seen[0]).toEqual(event);
        const row = await db
          .selectFrom('outbox')
          .selectAll()
          .where('id', '=', event.id)
          .executeTakeFirstOrThrow();
        expect(row.published_at).toEqual(clock.now());
        expect(await settingValue(db, key)).toBe('on');
        expect(await relay()).toBe(0);
        await got.stop();
      });

      it('never delivers the event of a rolled-back transaction', async () => {
        const { db } = dbctx.database;
        const topic = unique('merchant');
        const key = unique('setting');
        const got = await listen(ctx.stream, topic);
        let lost: StreamEvent | undefined;
        await expect(
          inTransaction(db, async (tx) => {
            await tx.insertInto('settings').values({ key, value: '"on"', updated_at: clock.now() }).execute();
            lost = await writeEvent(tx, { topic, payload: {} }, clock);
            throw new Error('business rule failed');
          }),
        ).rejects.toThrow('business rule failed');
        expect(lost).toBeDefined();
        expect(await relay()).toBe(0);
        expect(await db.selectFrom('outbox').select('id').where('id', '=', lost!.id).execute()).toEqual([]);
        expect(await settingValue(db, key)).toBeUndefined();
        const sentinel = await commitEvent(db, topic); // same group, delivered after anything earlier
        expect(await relay()).toBe(1);
        await waitFor(() => got.ids().includes(sentinel.id), { what: 'sentinel' });
        expect(got.ids()).toEqual([sentinel.id]);
        await got.stop();
      });

      it('republishes after a crash between publish and mark; consumeOnce applies the effect once', async () => {
        const { db } = dbctx.database;
        const topic = unique('order');
        const group = unique('ledger');
        const effect = unique('effect');
        const calls: string[] = []; // every handler invocation, by event id
        const applied: boolean[] = []; // what consumeOnce answered, once the invocation finished
        const sub = await ctx.stream.subscribe(group, topic, async (e) => {
          calls.push(e.id);
          applied.push(await consumeOnce(db, group, e, (tx) => bump(tx, effect), clock));
        });
        const event = await commitEvent(db, topic, { n: 1 });
        const recorded = recordingStream(ctx.stream);
        const crash = () => {
          throw new Error('relay died before marking');
        };
        await expect(
          relayOnce(db, recorded.stream, { batch: 100, clock, beforeMark: crash }),
        ).rejects.toThrow('relay died');
        const unmarked = await db
          .selectFrom('outbox')
          .select('published_at')
          .where('id', '=', event.id)
          .execute();
        expect(unmarked).toEqual([{ published_at: null }]);
        expect(await relay(recorded.stream)).toBe(1);
        expect(recorded.published).toEqual([event.id, event.id]); // published twice: at least once

        const sentinel = await commitEvent(db, topic);
        expect(await relay()).toBe(1);
        await waitFor(() => calls.includes(sentinel.id) && applied.length === calls.length, {
          what: 'sentinel',
        });
        const deliveries = calls.filter((id) => id === event.id).length;
        // Memory hands both publishes to the consumer; JetStream drops the second by msgID.
        expect(deliveries).toBe(ctx.kind === 'memory' ? 2 : 1);
        expect(applied).toEqual(ctx.kind === 'memory' ? [true, false, true] : [true, true]);
        expect(await counter(db, effect)).toBe(2); // event once + sentinel once
        const markers = await db
          .selectFrom('processed_events')
          .select('event_id')
          .where('consumer', '=', group)
          .orderBy('event_id')
          .execute();
        expect(markers.map((m) => m.event_id)).toEqual([event.id, sentinel.id].sort());
        await sub.stop();
      });

      it('a consumer that crashes after committing but before acking gets a redelivery it skips', async () => {
        const { db } = dbctx.database;
        const topic = unique('order');
        const group = unique('notify');
        const effect = unique('effect');
        const applied: boolean[] = [];
        const sub = await ctx.stream.subscribe(group, topic, async (e) => {
          applied.push(await consumeOnce(db, group, e, (tx) => bump(tx, effect), clock));
          if (applied.length === 1) throw new Error('died before ack');
        });
        await commitEvent(db, topic);
        expect(await relay()).toBe(1);
        await waitFor(() => applied.length === 2, { what: 'redelivery' });
        expect(applied).toEqual([true, false]);
        expect(await counter(db, effect)).toBe(1);
        await sub.stop();
      });

      it('publishes oldest first', async () => {
        const { db } = dbctx.database;
        const topic = unique('seq');
        const got = await listen(ctx.stream, topic);
        const events: StreamEvent[] = [];
        for (let i = 0; i < 5; i++) events.push(await commitEvent(db, topic, { i }));
        expect(await relay(ctx.stream, 2)).toBe(2);
        expect(await relay(ctx.stream, 2)).toBe(2);
        expect(await relay(ctx.stream, 2)).toBe(1);
        await waitFor(() => got.seen.length === 5, { what: 'five events' });
        expect(got.ids()).toEqual(events.map((e) => e.id));
        await got.stop();
      });

      it('concurrent relays never publish the same row in one round, and lose nothing', async () => {
        const { db } = dbctx.database;
        const topic = unique('bulk');
        const got = await listen(ctx.stream, topic);
        const events: StreamEvent[] = [];
        for (let i = 0; i < 120; i++) events.push(await commitEvent(db, topic, { i }));
        const a = recordingStream(ctx.stream);
        const b = recordingStream(ctx.stream);
        if (dbctx.engine === 'postgres') {
          // Hold relay A inside its transaction (rows locked) while relay B runs a full round.
          let holding!: () => void;
          let release!: () => void;
          const held = new Promise<void>((r) => (holding = r));
          const released = new Promise<void>((r) => (release = r));
          const first = relayOnce(db, a.stream, {
            batch: 50,
            clock,
            beforeMark: () => (holding(), released),
          });
          await held;
          try {
            expect(await withTimeout(relayOnce(db, b.stream, { batch: 50, clock }), 5_000)).toBe(50);
          } finally {
            release();
          }
          expect(await first).toBe(50);
        } else {
          // PGlite serialises transactions: the two rounds run one after the other.
          const counts = await Promise.all([relay(a.stream, 50), relay(b.stream, 50)]);
          expect(counts).toEqual([50, 50]);
        }
        expect(a.published.filter((id) => b.published.includes(id))).toEqual([]);
        expect(await relay(a.stream)).toBe(20);
        expect(await relay(b.stream)).toBe(0);
        const all = [...a.published, ...b.published];
        expect(all).toHaveLength(120);
        expect(new Set(all)).toEqual(new Set(events.map((e) => e.id)));
        await waitFor(() => got.seen.length >= 120, { what: '120 deliveries' });
        expect(new Set(got.ids())).toEqual(new Set(events.map((e) => e.id)));
        expect(got.seen).toHaveLength(120);
        await got.stop();
      });
    },
    { memory: { dedupeWindowMs: 0 } },
  );
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (blocked on locked rows?)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
