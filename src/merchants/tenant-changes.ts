import type { Clock } from '../core/clock.js';
import { inTransaction, type Db, type Tx } from '../platform/db/index.js';
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

/** What `createAudited` needs to know of a kind of tenant object. */
interface Created<R extends { id: string }, V extends Record<string, unknown>> {
  objectType: string;
  view: (row: R) => V;
  /** the merchant the object belongs to, for the audit log's merchant filter */
  merchantOf?: (row: R) => string;
  /** inserts the row (and reads what it needs first) inside the transaction */
  create: (tx: Tx) => Promise<R>;
}

/** Creates an object in one transaction with its `<type>.create` audit entry; answers its view. */
async function createAudited<R extends { id: string }, V extends Record<string, unknown>>(
  db: Db,
  clock: Clock,
  by: AuditActor,
  kind: Created<R, V>,
): Promise<V> {
  const row = await inTransaction(db, async (tx) => {
    const created = await kind.create(tx);
    await writeAuditBy(tx, by, clock, {
      action: `${kind.objectType}.create`,
      objectType: kind.objectType,
      objectId: created.id,
      merchantId: kind.merchantOf?.(created),
      after: kind.view(created),
    });
    return created;
  });
  return kind.view(row);
}

export function addInstitution(db: Db, name: string, clock: Clock, by: AuditActor) {
  return createAudited(db, clock, by, {
    objectType: 'institution',
    view: institutionObject,
    create: (tx) => createInstitution(tx, name, clock),
  });
}

/** Without an institution the provider joins the first one. */
export function addServiceProvider(
  db: Db,
  input: { name: string; institutionId?: string | undefined },
  clock: Clock,
  by: AuditActor,
) {
  return createAudited(db, clock, by, {
    objectType: 'service_provider',
    view: serviceProviderObject,
    create: async (tx) => {
      const institutionId = input.institutionId
        ? (await getInstitution(tx, input.institutionId)).id
        : (await defaultInstitution(tx, clock)).id;
      return createServiceProvider(tx, institutionId, input.name, clock);
    },
  });
}

/** A merchant under a service provider (and its institution), else under the first institution. */
export function addMerchant(
  db: Db,
  input: { name: string; serviceProviderId?: string | undefined },
  clock: Clock,
  by: AuditActor,
) {
  return createAudited(db, clock, by, {
    objectType: 'merchant',
    view: merchantObject,
    merchantOf: (m) => m.id,
    create: async (tx) => {
      const institutionId = input.serviceProviderId
        ? (await getServiceProvider(tx, input.serviceProviderId)).institution_id
        : (await defaultInstitution(tx, clock)).id;
      return createMerchant(
        tx,
        { name: input.name, institutionId, serviceProviderId: input.serviceProviderId ?? null },
        clock,
      );
    },
  });
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

export function addStore(db: Db, merchantId: string, name: string, clock: Clock, by: AuditActor) {
  return createAudited(db, clock, by, {
    objectType: 'store',
    view: storeObject,
    merchantOf: (s) => s.merchant_id,
    create: async (tx) => {
      await getMerchant(tx, merchantId);
      return createStore(tx, merchantId, name, clock);
    },
  });
}

export function addTerminal(
  db: Db,
  input: { storeId: string; name: string; deviceSn: string | null },
  clock: Clock,
  by: AuditActor,
) {
  return createAudited(db, clock, by, {
    objectType: 'terminal',
    view: terminalObject,
    merchantOf: (t) => t.merchant_id,
    create: (tx) => createTerminal(tx, input, clock),
  });
}
