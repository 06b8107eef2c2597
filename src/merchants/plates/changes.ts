import type { Clock } from '../../core/clock.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { writeEvent } from '../../platform/outbox/outbox.js';
import type { PlateAction } from './rules.js';
import { changePlate, createBlankPlates, getBatch, type BatchOptions } from './store.js';

/** Plate changes as their own transactions, for the admin API and the CLI (handlers open none). */

/** A batch of blank plates and its `plate_batch.created` event, all there or not at all. */
export async function createPlateBatch(
  db: Db,
  count: number,
  amount: number | null,
  clock: Clock,
  options: BatchOptions = {},
) {
  return inTransaction(db, async (tx) => {
    const created = await createBlankPlates(tx, count, clock, amount, options);
    await writeEvent(
      tx,
      { topic: 'plate_batch.created', payload: { batch_id: created.batchId, count, amount } },
      clock,
    );
    return { ...created, row: await getBatch(tx, created.batchId) };
  });
}

/** One action on a plate (see changePlate), in its own transaction. */
export async function applyPlateAction(
  db: Db,
  code: string,
  action: PlateAction,
  clock: Clock,
  publicUrl: string,
) {
  return (await inTransaction(db, (tx) => changePlate(tx, code, action, clock, publicUrl))).plate;
}
