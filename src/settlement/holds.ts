import type { Clock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { writeAudit } from '../merchants/index.js';
import { inTransaction, type Db } from '../platform/db/index.js';
import { writeEvent } from '../platform/outbox/outbox.js';

/**
 * Operator holds on a merchant's payouts, and the release of a settlement held for a risk review.
 * A hold keeps the merchant's settlements `held` (counted, moved to available, not paid) until
 * it is released; the next payout run pays them. Every change is audited.
 */

interface Actor {
  actor: string;
  requestId?: string;
}

export async function placeHold(db: Db, clock: Clock, merchantId: string, reason: string, who: Actor) {
  return inTransaction(db, async (tx) => {
    const merchant = await tx
      .selectFrom('merchants')
      .select('id')
      .where('id', '=', merchantId)
      .executeTakeFirst();
    if (!merchant) throw new ApiError('resource_missing', `no merchant ${merchantId}`, 'id');
    const now = clock.now();
    const hold = await tx
      .insertInto('merchant_holds')
      .values({
        id: newId('hold', now.getTime()),
        merchant_id: merchantId,
        reason,
        created_at: now,
        released_at: null,
        release_note: null,
      })
      .onConflict((oc) => oc.column('merchant_id').where('released_at', 'is', null).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!hold) throw new ApiError('state_conflict', `merchant ${merchantId} is on hold already`, 'id');
    // its settlements not yet paid stop here too
    await tx
      .updateTable('settlements')
      .set({ status: 'held', hold_reason: 'operator_hold', updated_at: now })
      .where('merchant_id', '=', merchantId)
      .where('status', '=', 'pending')
      .where('payout_id', 'is', null)
      .execute();
    await writeEvent(
      tx,
      { topic: 'merchant.hold_placed', payload: { hold_id: hold.id, merchant_id: merchantId, reason } },
      clock,
    );
    await writeAudit(
      tx,
      {
        ...who,
        action: 'merchant.hold',
        objectType: 'merchant_hold',
        objectId: hold.id,
        merchantId,
        after: { reason },
      },
      clock,
    );
    return hold;
  });
}

export async function releaseHold(db: Db, clock: Clock, merchantId: string, note: string | null, who: Actor) {
  return inTransaction(db, async (tx) => {
    const now = clock.now();
    const hold = await tx
      .updateTable('merchant_holds')
      .set({ released_at: now, release_note: note })
      .where('merchant_id', '=', merchantId)
      .where('released_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!hold) throw new ApiError('resource_missing', `merchant ${merchantId} has no open hold`, 'id');
    await tx
      .updateTable('settlements')
      .set({ status: 'pending', hold_reason: null, updated_at: now })
      .where('merchant_id', '=', merchantId)
      .where('status', '=', 'held')
      .where('hold_reason', '=', 'operator_hold')
      .execute();
    await writeEvent(
      tx,
      { topic: 'merchant.hold_released', payload: { hold_id: hold.id, merchant_id: merchantId } },
      clock,
    );
    await writeAudit(
      tx,
      {
        ...who,
        action: 'merchant.release_hold',
        objectType: 'merchant_hold',
        objectId: hold.id,
        merchantId,
        before: { reason: hold.reason },
        after: { released_at: now.toISOString(), note },
      },
      clock,
    );
    return hold;
  });
}

/** The operator closed the risk review of a held settlement: it is paid at the next payout run. */
export async function releaseSettlement(
  db: Db,
  clock: Clock,
  settlementId: string,
  note: string,
  who: Actor,
) {
  return inTransaction(db, async (tx) => {
    const s = await tx
      .selectFrom('settlements')
      .selectAll()
      .where('id', '=', settlementId)
      .forUpdate()
      .executeTakeFirst();
    if (!s) throw new ApiError('resource_missing', `no settlement ${settlementId}`, 'id');
    if (s.status !== 'held' || s.hold_reason !== 'risk_review')
      throw new ApiError('state_conflict', `settlement ${settlementId} is not held for a risk review`);
    const open = await tx
      .selectFrom('merchant_holds')
      .select('id')
      .where('merchant_id', '=', s.merchant_id)
      .where('released_at', 'is', null)
      .executeTakeFirst();
    const next = open
      ? { status: 'held' as const, hold_reason: 'operator_hold' }
      : { status: 'pending' as const, hold_reason: null };
    const updated = await tx
      .updateTable('settlements')
      .set({ ...next, updated_at: clock.now() })
      .where('id', '=', settlementId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(
      tx,
      {
        ...who,
        action: 'settlement.release',
        objectType: 'settlement',
        objectId: settlementId,
        merchantId: s.merchant_id,
        before: { status: s.status, hold_reason: s.hold_reason },
        after: { ...next, note },
      },
      clock,
    );
    return updated;
  });
}
