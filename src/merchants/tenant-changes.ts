import type { Clock } from '../core/clock.js';
import { inTransaction, type Db } from '../platform/db/index.js';
import { writeEvent } from '../platform/outbox/index.js';
import { writeAuditBy, type AuditActor } from './audit.js';
import {
  createInstitution,
  createMerchant,
  createServiceProvider,
  createStore,
  createTerminal,
  defaultInstitution,
  getInstitution,
  getMerchant,
  getServiceProvider,
  setMerchantStatus,
} from './tenancy.js';
import {
  institutionObject,
  merchantObject,
  serviceProviderObject,
  storeObject,
  terminalObject,
} from './views.js';

/**
 * Changes an operator makes to tenants (the admin API): each is one transaction with its audit
 * entry naming who asked (and, for a merchant's status, its outbox event). Answers the public objects.
 */

export async function addInstitution(db: Db, name: string, clock: Clock, by: AuditActor) {
  const row = await inTransaction(db, async (tx) => {
    const created = await createInstitution(tx, name, clock);
    await writeAuditBy(tx, by, clock, {
      action: 'institution.create',
      objectType: 'institution',
      objectId: created.id,
      after: institutionObject(created),
    });
    return created;
  });
  return institutionObject(row);
}

/** Without an institution the provider joins the first one. */
export async function addServiceProvider(
  db: Db,
  input: { name: string; institutionId?: string | undefined },
  clock: Clock,
  by: AuditActor,
) {
  const row = await inTransaction(db, async (tx) => {
    const institutionId = input.institutionId
      ? (await getInstitution(tx, input.institutionId)).id
      : (await defaultInstitution(tx, clock)).id;
    const created = await createServiceProvider(tx, institutionId, input.name, clock);
    await writeAuditBy(tx, by, clock, {
      action: 'service_provider.create',
      objectType: 'service_provider',
      objectId: created.id,
      after: serviceProviderObject(created),
    });
    return created;
  });
  return serviceProviderObject(row);
}

/** A merchant under a service provider (and its institution), else under the first institution. */
export async function addMerchant(
  db: Db,
  input: { name: string; serviceProviderId?: string | undefined },
  clock: Clock,
  by: AuditActor,
) {
  const row = await inTransaction(db, async (tx) => {
    const institutionId = input.serviceProviderId
      ? (await getServiceProvider(tx, input.serviceProviderId)).institution_id
      : (await defaultInstitution(tx, clock)).id;
    const created = await createMerchant(
      tx,
      { name: input.name, institutionId, serviceProviderId: input.serviceProviderId ?? null },
      clock,
    );
    await writeAuditBy(tx, by, clock, {
      action: 'merchant.create',
      objectType: 'merchant',
      objectId: created.id,
      merchantId: created.id,
      after: merchantObject(created),
    });
    return created;
  });
  return merchantObject(row);
}

/** Suspends or reactivates a merchant; a real change is audited and announced (`merchant.<status>`). */
export async function changeMerchantStatus(
  db: Db,
  id: string,
  action: 'suspend' | 'activate',
  reason: string | null,
  clock: Clock,
  by: AuditActor,
) {
  const status = action === 'suspend' ? 'suspended' : 'active';
  const after = await inTransaction(db, async (tx) => {
    const change = await setMerchantStatus(tx, id, status, reason, clock);
    if (!change.changed) return change.after;
    await writeAuditBy(tx, by, clock, {
      action: `merchant.${action}`,
      objectType: 'merchant',
      objectId: id,
      merchantId: id,
      before: merchantObject(change.before),
      after: merchantObject(change.after),
    });
    await writeEvent(
      tx,
      { topic: `merchant.${status}`, payload: { merchant_id: id, status, reason } },
      clock,
    );
    return change.after;
  });
  return merchantObject(after);
}

export async function addStore(db: Db, merchantId: string, name: string, clock: Clock, by: AuditActor) {
  const row = await inTransaction(db, async (tx) => {
    await getMerchant(tx, merchantId);
    const created = await createStore(tx, merchantId, name, clock);
    await writeAuditBy(tx, by, clock, {
      action: 'store.create',
      objectType: 'store',
      objectId: created.id,
      merchantId,
      after: storeObject(created),
    });
    return created;
  });
  return storeObject(row);
}

export async function addTerminal(
  db: Db,
  input: { storeId: string; name: string; deviceSn: string | null },
  clock: Clock,
  by: AuditActor,
) {
  const row = await inTransaction(db, async (tx) => {
    const created = await createTerminal(tx, input, clock);
    await writeAuditBy(tx, by, clock, {
      action: 'terminal.create',
      objectType: 'terminal',
      objectId: created.id,
      merchantId: created.merchant_id,
      after: terminalObject(created),
    });
    return created;
  });
  return terminalObject(row);
}
