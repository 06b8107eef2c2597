import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { Tx } from '../platform/db/index.js';
import type { NewEvent } from '../platform/outbox/index.js';
import { assertTopic } from '../platform/stream/topics.js';

/**
 * What settlement emits: `settlement.created` (one per settlement), `payout.created`,
 * `payout.paid|failed|paying|returned`, `merchant.hold_placed|hold_released`. A batch of
 * settlements writes its events in one insert into the outbox, inside the batch's transaction
 * (the same rows writeEvent writes one at a time: a day of many merchants saves a round trip each).
 */
export async function writeEvents(tx: Tx, events: readonly NewEvent[], clock: Clock): Promise<void> {
  if (events.length === 0) return;
  const at = clock.now();
  for (const e of events) assertTopic(e.topic);
  await tx
    .insertInto('outbox')
    .values(
      events.map((e) => ({
        id: newId('event', at.getTime()),
        topic: e.topic,
        payload: JSON.stringify(e.payload),
        created_at: at,
      })),
    )
    .execute();
}
