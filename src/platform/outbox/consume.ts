import { systemClock, type Clock } from '../../core/clock.js';
import { inTransaction, type Db, type Queryable, type Tx } from '../db/index.js';
import type { StreamEvent } from '../stream/stream.js';

/**
 * Applies an event's effects at most once per consumer, however often the stream delivers it.
 * The (consumer, event id) marker and fn's writes share one transaction: if fn throws, neither
 * stays and the redelivery tries again; if it commits, later deliveries see the marker and skip.
 * Returns true when fn ran (and committed), false for a repeat.
 *
 * Two concurrent deliveries of one event: the second insert waits on the first's uncommitted
 * primary key, then finds the row (skip) or, if the first rolled back, goes ahead itself.
 */
export function consumeOnce(
  db: Db,
  consumer: string,
  event: Pick<StreamEvent, 'id'>,
  fn: (tx: Tx) => Promise<void>,
  clock: Clock = systemClock,
): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const marked = await tx
      .insertInto('processed_events')
      .values({ consumer, event_id: event.id, processed_at: clock.now() })
      .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!marked) return false;
    await fn(tx);
    return true;
  });
}

/**
 * Deletes outbox rows published before `cutoff`. Unpublished rows are never deleted. Returns the
 * number removed.
 */
export async function pruneOutbox(db: Queryable, cutoff: Date): Promise<number> {
  const result = await db
    .deleteFrom('outbox')
    .where('published_at', 'is not', null)
    .where('published_at', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Forgets processed-event markers older than `cutoff`. Keep them longer than any event can still
 * be redelivered (stream retention, relay retries), or a late repeat would be applied again.
 */
export async function pruneProcessedEvents(db: Queryable, cutoff: Date): Promise<number> {
  const result = await db
    .deleteFrom('processed_events')
    .where('processed_at', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
