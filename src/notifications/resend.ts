import type { Clock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { inTransaction, type Db, type Tx } from '../platform/db/index.js';
import { enqueue } from '../platform/jobs/index.js';
import { WEBHOOK_JOB_MAX_ATTEMPTS, WEBHOOK_QUEUE, deliveryJobKey } from './events.js';
import type { TimeRange } from './list-query.js';
import type { EventScope } from './queries.js';

/**
 * A resend starts a new delivery round for an event that is not being delivered right now
 * (failed, or succeeded and wanted again): same event id and body, attempt numbers continue,
 * the retry schedule starts again at 0 s.
 */

/** Most events one bulk resend call takes; the answer's has_more says to call again. */
export const MAX_BULK_RESEND = 1_000;

async function startRound(tx: Tx, eventId: string, round: number, clock: Clock): Promise<void> {
  const now = clock.now();
  await tx
    .updateTable('webhook_events')
    .set({ status: 'pending', round, round_attempts: 0, next_attempt_at: now })
    .where('id', '=', eventId)
    .execute();
  await enqueue(
    tx,
    {
      queue: WEBHOOK_QUEUE,
      payload: { event_id: eventId, round },
      runAt: now,
      maxAttempts: WEBHOOK_JOB_MAX_ATTEMPTS,
      dedupeKey: deliveryJobKey(eventId, round),
    },
    clock,
  );
}

export async function resendEvent(db: Db, eventId: string, scope: EventScope, clock: Clock): Promise<void> {
  await inTransaction(db, async (tx) => {
    let q = tx.selectFrom('webhook_events').select(['status', 'round']).where('id', '=', eventId);
    if (scope.appId) q = q.where('app_id', '=', scope.appId);
    if (scope.merchantId) q = q.where('merchant_id', '=', scope.merchantId);
    const event = await q.forUpdate().executeTakeFirst();
    if (!event) throw new ApiError('resource_missing', `no event ${eventId}`, 'id');
    if (event.status === 'pending') {
      throw new ApiError('state_conflict', `event ${eventId} is being delivered already`, 'id');
    }
    await startRound(tx, eventId, event.round + 1, clock);
  });
}

export interface BulkResendResult {
  object: 'resend';
  resent: number;
  event_ids: string[];
  has_more: boolean;
}

/** Resends the failed events created in [from, to) within the scope, oldest first. */
export async function resendFailed(
  db: Db,
  scope: EventScope,
  range: TimeRange,
  clock: Clock,
): Promise<BulkResendResult> {
  return inTransaction(db, async (tx) => {
    let q = tx
      .selectFrom('webhook_events')
      .select(['id', 'round'])
      .where('status', '=', 'failed')
      .where('created_at', '>=', range.from)
      .where('created_at', '<', range.to);
    if (scope.appId) q = q.where('app_id', '=', scope.appId);
    if (scope.merchantId) q = q.where('merchant_id', '=', scope.merchantId);
    // skip rows another resend holds: they are being resent anyway
    const rows = await q
      .orderBy('created_at')
      .orderBy('id')
      .limit(MAX_BULK_RESEND + 1)
      .forUpdate()
      .skipLocked()
      .execute();
    const batch = rows.slice(0, MAX_BULK_RESEND);
    for (const row of batch) await startRound(tx, row.id, row.round + 1, clock);
    return {
      object: 'resend',
      resent: batch.length,
      event_ids: batch.map((r) => r.id),
      has_more: rows.length > MAX_BULK_RESEND,
    };
  });
}
