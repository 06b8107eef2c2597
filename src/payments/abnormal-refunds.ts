import type { AbnormalRefundTarget, ChannelId, RefundStatus } from '../channels/channel.js';
import { ChannelError } from '../channels/channel.js';
import { ApiError } from '../core/errors.js';
import { toPage, type Page } from '../core/pagination.js';
import { inTransaction, newestFirst, type Db, type Tx } from '../platform/db/index.js';
import { enqueue } from '../platform/jobs/index.js';
import { lockOrder } from './order-transitions.js';
import { REFUND_QUEUE, refundRequestOf, transitionRefund, type RefundDeps } from './refunds.js';
import { adminRefundObject, type RefundRow } from './refund-view.js';
import type { Clock } from '../core/clock.js';
import { writeAuditBy, type AuditActor } from '../merchants/index.js';

/**
 * An operator redirects an abnormal refund (the customer's card could not take it) through the
 * channel's own call: to the customer's other debit card or back to the merchant's settlement
 * account. The channel is asked first, outside any transaction; once it accepted, the refund is
 * pending again and polled until the channel says succeeded (or abnormal again).
 */

function channelRefusal(error: ChannelError): ApiError {
  if (error.retryable)
    return new ApiError(
      'channel_failed',
      `the channel could not take the request: ${error.message}; try again`,
    );
  if (error.kind === 'config')
    return new ApiError('channel_failed', `the merchant's channel configuration is wrong: ${error.message}`);
  return new ApiError('validation_failed', `the channel refused: ${error.message}`, 'type');
}

/** The audit entry of a redirection: the card's number and holder stay out, the bank and last digits say enough. */
function auditRedirect(
  tx: Tx,
  by: AuditActor,
  clock: Clock,
  target: AbnormalRefundTarget,
  before: RefundRow,
  after: RefundRow,
): Promise<void> {
  return writeAuditBy(tx, by, clock, {
    action: 'refund.apply_abnormal_refund',
    objectType: 'refund',
    objectId: before.id,
    merchantId: before.merchant_id,
    before: adminRefundObject(before),
    after: {
      ...adminRefundObject(after),
      target:
        target.type === 'USER_BANK_CARD'
          ? {
              type: target.type,
              bank_type: target.bankType,
              bank_account_last4: target.bankAccount.slice(-4),
            }
          : { type: target.type },
    },
  });
}

/**
 * Sends an abnormal refund elsewhere, on behalf of `by`: the transaction that marks the refund
 * pending again also writes the audit entry. Answers the refund as it is afterwards.
 */
export async function applyAbnormalRefund(
  db: Db,
  refundId: string,
  target: AbnormalRefundTarget,
  deps: RefundDeps,
  by: AuditActor,
): Promise<RefundRow> {
  const refund = await db.selectFrom('refunds').selectAll().where('id', '=', refundId).executeTakeFirst();
  if (!refund) throw new ApiError('resource_missing', `no refund ${refundId}`, 'id');
  if (refund.status !== 'abnormal')
    throw new ApiError(
      'state_conflict',
      `only an abnormal refund can be redirected (it is ${refund.status})`,
      'id',
    );
  const order = await db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', refund.order_id)
    .executeTakeFirstOrThrow();
  const channel = deps.channels.adapter(order.channel as ChannelId);
  if (!channel.applyAbnormalRefund || !refund.channel_refund_no)
    throw new ApiError('state_conflict', `${channel.id} has no abnormal-refund call for this refund`, 'id');
  const config = await deps.channels.config(order.merchant_id, channel.id);
  const request = {
    ...refundRequestOf(order, refund, deps.publicUrl),
    channelRefundNo: refund.channel_refund_no,
  };

  let answer: RefundStatus;
  try {
    answer = await channel.applyAbnormalRefund(config, request, target);
  } catch (error) {
    if (!(error instanceof ChannelError)) throw error;
    // refused because an earlier application (whose answer was lost) already went through?
    const now = error.retryable
      ? undefined
      : await channel.refundQuery(config, request).catch(() => undefined);
    if (now?.state !== 'pending' && now?.state !== 'succeeded') throw channelRefusal(error);
    answer = now;
  }

  return inTransaction(db, async (tx) => {
    await lockOrder(tx, order.id);
    const before = await tx
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refund.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await transitionRefund(tx, order, before, { type: 'abnormal_applied' }, undefined, deps);
    await tx
      .updateTable('refunds')
      .set({ abnormal_applied_at: deps.clock.now(), abnormal_target: target.type })
      .where('id', '=', refund.id)
      .execute();
    const applied = await tx
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refund.id)
      .executeTakeFirstOrThrow();
    // the channel's answer itself (PROCESSING, or already SUCCESS)
    await transitionRefund(
      tx,
      order,
      applied,
      { type: 'channel_reported', state: answer.state },
      answer,
      deps,
    );
    const after = await tx
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refund.id)
      .executeTakeFirstOrThrow();
    if (after.status === 'pending') {
      await enqueue(
        tx,
        {
          queue: REFUND_QUEUE,
          payload: { refund_id: refund.id, submitted: true }, // query only: the refund exists at the channel
          maxAttempts: 60,
          dedupeKey: `refund:${refund.id}:abnormal:${deps.clock.nowMs()}`,
        },
        deps.clock,
      );
    }
    await auditRedirect(tx, by, deps.clock, target, before, after);
    return after;
  });
}

/** The admin list: refunds of one status (e.g. abnormal, for operators), newest first. */
export async function listRefunds(
  db: Db,
  filter: { status?: RefundRow['status']; merchant_id?: string; order_id?: string },
  page: { limit: number; startingAfter?: string | undefined },
): Promise<Page<ReturnType<typeof adminRefundObject>>> {
  const rows = await newestFirst(db.selectFrom('refunds').selectAll(), page, {
    status: filter.status,
    merchant_id: filter.merchant_id,
    order_id: filter.order_id,
  }).execute();
  return toPage(rows, page.limit, adminRefundObject);
}
