import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import { lockKey, newestFirst, type Queryable } from '../platform/db/index.js';
import { ApiError } from '../core/errors.js';
import type { MerchantStatus } from './tables.js';

/** Institutions → service providers → merchants → stores → terminals: the ownership tree. */

export async function createInstitution(db: Queryable, name: string, clock: Clock) {
  return db
    .insertInto('institutions')
    .values({ id: newId('institution', clock.nowMs()), name, created_at: clock.now() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function createServiceProvider(
  db: Queryable,
  institutionId: string,
  name: string,
  clock: Clock,
) {
  return db
    .insertInto('service_providers')
    .values({
      id: newId('serviceProvider', clock.nowMs()),
      institution_id: institutionId,
      name,
      created_at: clock.now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface NewMerchant {
  name: string;
  institutionId: string;
  serviceProviderId?: string | null;
}

export async function createMerchant(db: Queryable, input: NewMerchant, clock: Clock) {
  return db
    .insertInto('merchants')
    .values({
      id: newId('merchant', clock.nowMs()),
      institution_id: input.institutionId,
      service_provider_id: input.serviceProviderId ?? null,
      name: input.name,
      status: 'active',
      created_at: clock.now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function createStore(db: Queryable, merchantId: string, name: string, clock: Clock) {
  return db
    .insertInto('stores')
    .values({ id: newId('store', clock.nowMs()), merchant_id: merchantId, name, created_at: clock.now() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface NewTerminal {
  storeId: string;
  name: string;
  deviceSn?: string | null;
}

/** A terminal (POS, scanner box, cloud speaker) in a store; a device serial belongs to one terminal. */
export async function createTerminal(db: Queryable, input: NewTerminal, clock: Clock) {
  const store = await getStore(db, input.storeId);
  if (input.deviceSn) {
    const taken = await db
      .selectFrom('terminals')
      .select('id')
      .where('device_sn', '=', input.deviceSn)
      .executeTakeFirst();
    if (taken)
      throw new ApiError(
        'state_conflict',
        `device ${input.deviceSn} is already terminal ${taken.id}`,
        'device_sn',
      );
  }
  const insert = db
    .insertInto('terminals')
    .values({
      id: newId('terminal', clock.nowMs()),
      merchant_id: store.merchant_id,
      store_id: store.id,
      name: input.name,
      device_sn: input.deviceSn ?? null,
      status: 'active',
      created_at: clock.now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  try {
    return await insert;
  } catch (error) {
    // a concurrent create took the serial between the check and the insert
    if ((error as { code?: string }).code === '23505')
      throw new ApiError('state_conflict', `device ${input.deviceSn} is already a terminal`, 'device_sn');
    throw error;
  }
}

export async function getInstitution(db: Queryable, id: string, param = 'institution_id') {
  const row = await db.selectFrom('institutions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('resource_missing', `no institution ${id}`, param);
  return row;
}

export async function getMerchant(db: Queryable, id: string, param = 'id') {
  const merchant = await db.selectFrom('merchants').selectAll().where('id', '=', id).executeTakeFirst();
  if (!merchant) throw new ApiError('resource_missing', `no merchant ${id}`, param);
  return merchant;
}

export async function getStore(db: Queryable, id: string, param = 'id') {
  const store = await db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirst();
  if (!store) throw new ApiError('resource_missing', `no store ${id}`, param);
  return store;
}

export async function getServiceProvider(db: Queryable, id: string, param = 'service_provider_id') {
  const provider = await db
    .selectFrom('service_providers')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!provider) throw new ApiError('resource_missing', `no service provider ${id}`, param);
  return provider;
}

/** The institution new merchants belong to when none is named: the installation's first one. */
export async function defaultInstitution(db: Queryable, clock: Clock) {
  await lockKey(db, 'juhepay:default-institution'); // two first merchants must not make two institutions
  const existing = await db.selectFrom('institutions').selectAll().orderBy('id').limit(1).executeTakeFirst();
  return existing ?? createInstitution(db, 'JuhePay institution', clock);
}

export interface ListWindow {
  limit: number;
  startingAfter?: string | undefined;
}

export function listInstitutions(db: Queryable, w: ListWindow) {
  return newestFirst(db.selectFrom('institutions').selectAll(), w).execute();
}

export function listServiceProviders(db: Queryable, w: ListWindow & { institutionId?: string | undefined }) {
  return newestFirst(db.selectFrom('service_providers').selectAll(), w, {
    institution_id: w.institutionId,
  }).execute();
}

export function listMerchants(
  db: Queryable,
  w: ListWindow & { serviceProviderId?: string | undefined; status?: MerchantStatus | undefined },
) {
  return newestFirst(db.selectFrom('merchants').selectAll(), w, {
    service_provider_id: w.serviceProviderId,
    status: w.status,
  }).execute();
}

export function listStores(db: Queryable, merchantId: string, w: ListWindow) {
  return newestFirst(db.selectFrom('stores').selectAll().where('merchant_id', '=', merchantId), w).execute();
}

export function listTerminals(db: Queryable, storeId: string, w: ListWindow) {
  return newestFirst(db.selectFrom('terminals').selectAll().where('store_id', '=', storeId), w).execute();
}

/**
 * Suspends or reactivates a merchant (row-locked, so concurrent calls serialise). Returns the
 * row before and after; a call that changes nothing is a no-op and returns the same row twice.
 */
export async function setMerchantStatus(
  db: Queryable,
  id: string,
  status: MerchantStatus,
  reason: string | null,
  clock: Clock,
) {
  const before = await db
    .selectFrom('merchants')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!before) throw new ApiError('resource_missing', `no merchant ${id}`, 'id');
  if (before.status === status) return { before, after: before, changed: false };
  const after = await db
    .updateTable('merchants')
    .set({ status, status_reason: status === 'suspended' ? reason : null, status_changed_at: clock.now() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { before, after, changed: true };
}

/**
 * Call before creating an order (or any new payment) for a merchant: a suspended merchant takes
 * no new payments, while its existing orders, refunds and settlement carry on untouched.
 */
export async function assertMerchantCanTransact(db: Queryable, merchantId: string): Promise<void> {
  const row = await db
    .selectFrom('merchants')
    .select(['status', 'status_reason'])
    .where('id', '=', merchantId)
    .executeTakeFirst();
  if (!row) throw new ApiError('resource_missing', `no merchant ${merchantId}`, 'merchant_id');
  if (row.status !== 'active') {
    const why = row.status_reason ? `: ${row.status_reason}` : '';
    throw new ApiError(
      'merchant_suspended',
      `merchant ${merchantId} is suspended and cannot take new payments${why}`,
      'merchant_id',
    );
  }
}
