import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { Queryable } from '../platform/db/index.js';

/** Static plates (码牌): printed blank in batches, bound to a merchant/store later. */

const PLATE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'; // no 0/O, 1/I: read aloud and typed by people
export const PLATE_CODE_LENGTH = 16; // 16 × 5 bits = 80 bits: unguessable

export function randomPlateCode(): string {
  return Array.from(randomBytes(PLATE_CODE_LENGTH), (b) => PLATE_ALPHABET[b % 32]).join('');
}

export async function createBlankPlates(
  db: Queryable,
  count: number,
  clock: Clock,
  amount: number | null = null,
) {
  const batchId = newId('plateBatch', clock.nowMs());
  const rows = Array.from({ length: count }, () => ({
    code: randomPlateCode(),
    batch_id: batchId,
    merchant_id: null,
    store_id: null,
    amount,
    status: 'blank' as const,
    created_at: clock.now(),
  }));
  await db.insertInto('plates').values(rows).execute();
  return { batchId, codes: rows.map((r) => r.code) };
}

export async function bindPlate(db: Queryable, code: string, merchantId: string, storeId: string | null) {
  return db
    .updateTable('plates')
    .set({ merchant_id: merchantId, store_id: storeId, status: 'bound' })
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirst();
}
