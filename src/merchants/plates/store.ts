import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { systemClock, type Clock } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Queryable, Tx } from '../../platform/db/index.js';
import { writeEvent } from '../../platform/outbox/outbox.js';
import {
  isValidAmountFen,
  MAX_BATCH_SIZE,
  PLATE_ALPHABET,
  PLATE_CODE_LENGTH,
  plateUrl,
  transition,
  type PlateAction,
  type PlateState,
} from './rules.js';

/** Static plates (码牌): printed blank in batches, bound to a merchant/store later. */

export { PLATE_CODE_LENGTH };

export function randomPlateCode(): string {
  // 256 is a multiple of 32, so b % 32 is uniform: each character carries exactly 5 bits
  return Array.from(randomBytes(PLATE_CODE_LENGTH), (b) => PLATE_ALPHABET[b % 32]).join('');
}

const INSERT_CHUNK = 500; // rows per INSERT: well under PostgreSQL's 65 535 bind parameters

export interface BatchOptions {
  /** who asked: 'admin_api', 'cli:<user>', 'demo' — kept on the batch for audit */
  createdBy?: string;
  /** called after each chunk is inserted (the CLI's progress bar) */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Creates a batch of blank plates numbered 1…count. Run it inside a transaction so a batch is all
 * there or not at all. A code collision (80 random bits: practically never) is retried.
 */
export async function createBlankPlates(
  db: Queryable,
  count: number,
  clock: Clock,
  amount: number | null = null,
  options: BatchOptions = {},
) {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_BATCH_SIZE) {
    throw new ApiError('parameter_invalid', `count must be an integer 1…${MAX_BATCH_SIZE}`, 'count');
  }
  if (amount !== null && !isValidAmountFen(amount)) {
    throw new ApiError('parameter_invalid', 'amount must be an integer number of fen 1…100000000', 'amount');
  }
  const batchId = newId('plateBatch', clock.nowMs());
  const now = clock.now();
  await db
    .insertInto('plate_batches')
    .values({ id: batchId, count, amount, created_by: options.createdBy ?? 'system', created_at: now })
    .execute();
  const codes: string[] = new Array<string>(count);
  for (let start = 0; start < count; start += INSERT_CHUNK) {
    let pending = Array.from({ length: Math.min(INSERT_CHUNK, count - start) }, (_, i) => start + i);
    while (pending.length > 0) {
      const rows = pending.map((index) => ({
        code: randomPlateCode(),
        batch_id: batchId,
        seq: index + 1,
        merchant_id: null,
        store_id: null,
        amount,
        status: 'blank' as const,
        created_at: now,
        updated_at: now,
      }));
      const inserted = await db
        .insertInto('plates')
        .values(rows)
        .onConflict((oc) => oc.column('code').doNothing())
        .returning(['code', 'seq'])
        .execute();
      for (const row of inserted) codes[row.seq! - 1] = row.code;
      pending = pending.filter((index) => codes[index] === undefined);
    }
    options.onProgress?.(Math.min(start + INSERT_CHUNK, count), count);
  }
  return { batchId, codes };
}

export type PlateRow = Awaited<ReturnType<typeof findPlate>> & {};

export function findPlate(db: Queryable, code: string) {
  return db.selectFrom('plates').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function getPlate(db: Queryable, code: string) {
  const plate = await findPlate(db, code);
  if (!plate) throw new ApiError('resource_missing', `no plate ${code}`, 'code');
  return plate;
}

export async function getBatch(db: Queryable, batchId: string) {
  const batch = await db.selectFrom('plate_batches').selectAll().where('id', '=', batchId).executeTakeFirst();
  if (!batch) throw new ApiError('resource_missing', `no plate batch ${batchId}`, 'batch_id');
  return batch;
}

export function listBatchPlates(db: Queryable, batchId: string) {
  return db
    .selectFrom('plates')
    .selectAll()
    .where('batch_id', '=', batchId)
    .orderBy(sql`seq nulls last`)
    .orderBy('code')
    .execute();
}

const stateOf = (row: NonNullable<PlateRow>): PlateState => ({
  status: row.status,
  merchantId: row.merchant_id,
  storeId: row.store_id,
});

/** Checks the bind target: the merchant exists and is active, the store is the merchant's. */
async function checkBindTarget(db: Queryable, merchantId: string, storeId: string | null) {
  const merchant = await db
    .selectFrom('merchants')
    .select(['id', 'status'])
    .where('id', '=', merchantId)
    .executeTakeFirst();
  if (!merchant) throw new ApiError('resource_missing', `no merchant ${merchantId}`, 'merchant_id');
  if (merchant.status !== 'active') {
    throw new ApiError('state_conflict', `merchant ${merchantId} is ${merchant.status}`, 'merchant_id');
  }
  if (storeId === null) return;
  const store = await db
    .selectFrom('stores')
    .select(['id', 'merchant_id'])
    .where('id', '=', storeId)
    .executeTakeFirst();
  if (!store) throw new ApiError('resource_missing', `no store ${storeId}`, 'store_id');
  if (store.merchant_id !== merchantId) {
    throw new ApiError('validation_failed', `store ${storeId} belongs to another merchant`, 'store_id');
  }
}

const EVENT_FOR: Record<PlateAction['type'], string> = {
  bind: 'plate.bound',
  unbind: 'plate.unbound',
  disable: 'plate.disabled',
  enable: 'plate.enabled',
};

/**
 * Applies one action to a plate in the caller's transaction: locks the row, runs the pure state
 * machine, writes the change and its outbox event. A repeated action changes nothing and writes
 * no event.
 */
export async function changePlate(tx: Tx, code: string, action: PlateAction, clock: Clock, publicUrl = '') {
  const row = await tx
    .selectFrom('plates')
    .selectAll()
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new ApiError('resource_missing', `no plate ${code}`, 'code');
  const outcome = transition(stateOf(row), action);
  if (!outcome.ok) throw new ApiError('state_conflict', outcome.reason, 'code');
  if (!outcome.changed) return { plate: row, changed: false };
  if (action.type === 'bind') await checkBindTarget(tx, action.merchantId, action.storeId);
  const now = clock.now();
  const plate = await tx
    .updateTable('plates')
    .set({
      status: outcome.next.status,
      merchant_id: outcome.next.merchantId,
      store_id: outcome.next.storeId,
      updated_at: now,
      ...(action.type === 'bind' ? { bound_at: now } : action.type === 'unbind' ? { bound_at: null } : {}),
    })
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeEvent(
    tx,
    { topic: EVENT_FOR[action.type], payload: { object: plateObject(plate, publicUrl) } },
    clock,
  );
  return { plate, changed: true };
}

/** Binds a blank plate (the demo tenant uses it); see changePlate for the rules. */
export async function bindPlate(
  tx: Tx,
  code: string,
  merchantId: string,
  storeId: string | null,
  clock: Clock = systemClock,
) {
  return (await changePlate(tx, code, { type: 'bind', merchantId, storeId }, clock)).plate;
}

/** The plate as the admin API shows it. */
export function plateObject(row: NonNullable<PlateRow>, publicUrl: string) {
  return {
    object: 'plate' as const,
    code: row.code,
    url: plateUrl(publicUrl, row.code),
    batch_id: row.batch_id,
    seq: row.seq,
    status: row.status,
    merchant_id: row.merchant_id,
    store_id: row.store_id,
    amount: row.amount,
    bound_at: row.bound_at ? row.bound_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
  };
}

/** Everything the /q page needs in one read: the plate, its merchant's status and names. */
export function findPlateForPage(db: Queryable, code: string) {
  return db
    .selectFrom('plates')
    .leftJoin('merchants', 'merchants.id', 'plates.merchant_id')
    .leftJoin('stores', 'stores.id', 'plates.store_id')
    .select([
      'plates.code',
      'plates.status',
      'plates.merchant_id',
      'plates.store_id',
      'plates.amount',
      'merchants.status as merchant_status',
      'merchants.name as merchant_name',
      'stores.name as store_name',
    ])
    .where('plates.code', '=', code)
    .executeTakeFirst();
}
