import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import { inTransaction, type Db, type Tx } from '../db/index.js';
import type { Logger } from '../logger.js';
import { startPolling } from '../polling.js';
import type { Stream, StreamEvent } from '../stream/stream.js';
import { assertTopic } from '../stream/topics.js';

/**
 * Transactional outbox: a state change and the event announcing it commit together (or not at
 * all); the relay then publishes committed events to the stream. Delivery is at least once:
 * a relay that dies after publishing but before marking publishes the rows again, so consumers
 * deduplicate by event id (consumeOnce) — and JetStream drops repeats within its window.
 */

export interface NewEvent {
  topic: string;
  payload: Record<string, unknown>;
}

/**
 * A new outbox row's id and time, its topic checked: for a caller that writes the row inside a
 * statement of its own (the webhook emitter's one-statement insert), as writeEvent does.
 */
export function outboxKey(topic: string, clock: Clock): { id: string; topic: string; created_at: Date } {
  assertTopic(topic);
  const at = clock.now();
  return { id: newId('event', at.getTime()), topic, created_at: at };
}

/** Records an event inside the caller's transaction; it is published only if that commits. */
export async function writeEvent(tx: Tx, event: NewEvent, clock: Clock): Promise<StreamEvent> {
  const { id, created_at: at } = outboxKey(event.topic, clock);
  await tx
    .insertInto('outbox')
    .values({ id, topic: event.topic, payload: JSON.stringify(event.payload), created_at: at })
    .execute();
  return { id, topic: event.topic, payload: event.payload, created_at: at.toISOString() };
}

export interface RelayOptions {
  batch: number;
  clock: Clock;
  /**
   * Runs after the batch is published and before it is marked; throwing rolls the marking back.
   * The seam for crash tests (a real crash at that point has the same effect).
   */
  beforeMark?: (published: StreamEvent[]) => Promise<void> | void;
}

/**
 * Publishes up to `batch` unpublished events, oldest first, and marks them published; returns
 * how many were published and marked. Rows are locked FOR UPDATE SKIP LOCKED, so relays on
 * several nodes each take different rows.
 *
 * This is the one place that talks to the network inside a transaction: holding the row locks
 * while publishing is what keeps two relays off the same rows. The transaction touches only
 * outbox rows, and publish calls are bounded by the stream client's own timeouts.
 *
 * If a publish fails, the events already published are still marked (fewer repeats) and the
 * error is rethrown after commit.
 */
export async function relayOnce(db: Db, stream: Stream, options: RelayOptions): Promise<number> {
  if (!Number.isInteger(options.batch) || options.batch < 1) throw new RangeError('relay batch must be >= 1');
  const outcome = await inTransaction(db, async (tx) => {
    const rows = await tx
      .selectFrom('outbox')
      .selectAll()
      .where('published_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .limit(options.batch)
      .forUpdate()
      .skipLocked()
      .execute();
    const published: StreamEvent[] = [];
    let failure: unknown;
    for (const row of rows) {
      const event = {
        id: row.id,
        topic: row.topic,
        payload: row.payload,
        created_at: row.created_at.toISOString(),
      };
      try {
        await stream.publish(event);
      } catch (error) {
        failure = error;
        break; // keep order: nothing after a failed event goes out before it
      }
      published.push(event);
    }
    await options.beforeMark?.(published);
    if (published.length > 0) {
      await tx
        .updateTable('outbox')
        .set({ published_at: options.clock.now() })
        .where(
          'id',
          'in',
          published.map((e) => e.id),
        )
        .execute();
    }
    return { count: published.length, failure };
  });
  if (outcome.failure !== undefined) throw outcome.failure;
  return outcome.count;
}

export interface StartRelayOptions {
  intervalMs: number;
  clock: Clock;
  batch?: number;
  logger?: Logger;
}

/**
 * Runs relayOnce every intervalMs (immediately again while batches come back full) until the
 * returned function is called; that function resolves once the current round has finished.
 * Rounds never overlap: the next one is scheduled only when the previous one is done.
 */
export function startRelay(db: Db, stream: Stream, options: StartRelayOptions): () => Promise<void> {
  const batch = options.batch ?? 100;
  return startPolling(async () => (await relayOnce(db, stream, { batch, clock: options.clock })) === batch, {
    intervalMs: options.intervalMs,
    onError: (err) => options.logger?.warn({ err }, 'outbox relay round failed'),
  });
}
