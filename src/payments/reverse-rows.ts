import type { Selectable } from 'kysely';
import type { Db, Tx } from '../platform/db/index.js';
import type { OrderReversesTable } from './tables.js';

/** The order_reverses table: one reverse (撤销) per order. Reads and the confirmation write. */

export type ReverseRow = Selectable<OrderReversesTable>;

export function reverseOf(db: Db | Tx, orderId: string): Promise<ReverseRow | undefined> {
  return db.selectFrom('order_reverses').selectAll().where('order_id', '=', orderId).executeTakeFirst();
}

/** The channel confirmed a pending reverse (its query, its notification): it succeeded. */
export async function confirmReverse(
  tx: Tx,
  orderId: string,
  result: { action?: 'close' | 'refund' | undefined; code?: string | undefined },
  now: Date,
): Promise<void> {
  await tx
    .updateTable('order_reverses')
    .set({
      status: 'succeeded',
      confirmed_at: now,
      updated_at: now,
      ...(result.action ? { action: result.action } : {}),
      ...(result.code ? { result_code: result.code } : {}),
    })
    .where('order_id', '=', orderId)
    .where('status', '=', 'pending')
    .execute();
}
