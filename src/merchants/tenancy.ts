import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Queryable } from '../platform/db/index.js';
import { ApiError } from '../core/errors.js';

/** Institutions → service providers → merchants → stores: the ownership tree every record hangs from. */

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

export async function getMerchant(db: Queryable, id: string) {
  const merchant = await db.selectFrom('merchants').selectAll().where('id', '=', id).executeTakeFirst();
  if (!merchant) throw new ApiError('resource_missing', `no merchant ${id}`, 'id');
  return merchant;
}

export async function getServiceProvider(db: Queryable, id: string) {
  const provider = await db
    .selectFrom('service_providers')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!provider) throw new ApiError('resource_missing', `no service provider ${id}`, 'service_provider_id');
  return provider;
}

/** The institution new merchants belong to when none is named: the installation's first one. */
export async function defaultInstitution(db: Queryable, clock: Clock) {
  const existing = await db.selectFrom('institutions').selectAll().orderBy('id').limit(1).executeTakeFirst();
  return existing ?? createInstitution(db, 'JuhePay institution', clock);
}
