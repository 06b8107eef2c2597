import { createHash } from 'node:crypto';
import type { Channel, ChannelConfig, ChannelId, RefundRequest, RefundStatus } from '../channels/channel.js';
import { ChannelError } from '../channels/channel.js';
import type { ChannelRegistry } from '../channels/registry.js';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { inTransaction, type Db, type Tx } from '../platform/db/index.js';
import { enqueue } from '../platform/jobs/index.js';
import { emitRefundEvent } from './events.js';
import { channelNotifyUrl } from './channel-calls.js';
import { lockOrder, type TransitionDeps } from './order-transitions.js';
import { refundQueryDelayMs } from './schedules.js';
import type { OrderRow } from './order-view.js';
import { nextRefundState, REFUNDS_HOLDING_AMOUNT, type RefundInput } from './refund-machine.js';
import type { RefundRow } from './refund-view.js';
import type { RefundRisk } from './risk-facts.js';

/**
 * Refunds: partial and repeated up to the paid amount. The order row is locked while a refund is
 * admitted, so concurrent refunds can never together exceed it (pending and abnormal refunds
 * count against the refundable amount). The channel call happens after commit; a job retries
 * and polls it.
 */

export const REFUND_QUEUE = 'refund_sync';

export interface RefundDeps extends TransitionDeps {
  channels: ChannelRegistry;
}

export interface NewRefund {
  mch_refund_no: string;
  amount: number;
  reason?: string | undefined;
  notify_url?: string | undefined;
}

function refundHash(input: NewRefund): string {
  return createHash('sha256')
    .update(JSON.stringify([input.amount, input.reason ?? null, input.notify_url ?? null]))
    .digest('hex');
}

export async function createRefund(
  db: Db,
  order: OrderRow,
  input: NewRefund,
  deps: RefundDeps,
  risk?: RefundRisk,
): Promise<{ refund: RefundRow; created: boolean }> {
  const hash = refundHash(input);
  const result = await inTransaction(db, async (tx) => {
    const locked = await lockOrder(tx, order.id);
    const existing = await tx
      .selectFrom('refunds')
      .selectAll()
      .where('order_id', '=', order.id)
      .where('mch_refund_no', '=', input.mch_refund_no)
      .executeTakeFirst();
    if (existing) {
      if (existing.request_hash !== hash) {
        throw new ApiError(
          'idempotency_error',
          `mch_refund_no ${input.mch_refund_no} was already used with other parameters`,
          'mch_refund_no',
        );
      }
      return { refund: existing, created: false };
    }
    if (locked.status !== 'succeeded')
      throw new ApiError(
        'state_conflict',
        `only a paid order can be refunded (it is ${locked.status})`,
        'order_id',
      );
    const committed = await tx
      .selectFrom('refunds')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('total'))
      .where('order_id', '=', order.id)
      .where('status', 'in', REFUNDS_HOLDING_AMOUNT)
      .executeTakeFirstOrThrow();
    const refundable = locked.amount - Number(committed.total);
    if (input.amount > refundable) {
      throw new ApiError(
        'validation_failed',
        `amount exceeds what is left to refund (${refundable} fen)`,
        'amount',
      );
    }
    const now = deps.clock.now();
    const refund = await tx
      .insertInto('refunds')
      .values({
        id: newId('refund', deps.clock.nowMs()),
        order_id: order.id,
        app_id: order.app_id,
        merchant_id: order.merchant_id,
        mch_refund_no: input.mch_refund_no,
        amount: input.amount,
        status: 'pending',
        reason: input.reason ?? null,
        notify_url: input.notify_url ?? null,
        // what every submit sends, fixed now: a resend from any node is the same request
        channel_config_version_id: locked.channel_config_version_id,
        channel_notify_url: channelNotifyUrl(deps.publicUrl, locked.channel as ChannelId, locked.merchant_id),
        request_hash: hash,
        channel_refund_no: null,
        failure_code: null,
        failure_message: null,
        created_at: now,
        updated_at: now,
        succeeded_at: null,
        risk_flag: risk?.flag ?? null,
        risk_decision_id: risk?.decisionId ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await enqueue(
      tx,
      {
        queue: REFUND_QUEUE,
        payload: { refund_id: refund.id },
        maxAttempts: 60,
        // after the API's own submit has had its chance; the job then only queries (or resends)
        runAt: new Date(deps.clock.nowMs() + refundQueryDelayMs(1)),
        dedupeKey: `refund:${refund.id}`,
      },
      deps.clock,
    );
    return { refund, created: true };
  });
  return result;
}

export function refundRequestOf(order: OrderRow, refund: RefundRow, publicUrl: string): RefundRequest {
  return {
    outTradeNo: order.id,
    channelTradeNo: order.channel_trade_no ?? undefined,
    outRefundNo: refund.id,
    amount: refund.amount,
    total: order.amount,
    reason: refund.reason ?? undefined,
    notifyUrl:
      refund.channel_notify_url ?? channelNotifyUrl(publicUrl, order.channel as ChannelId, order.merchant_id),
    orderCreatedAt: order.channel_order_created_at ?? order.created_at,
  };
}

/**
 * Submits (first run) or queries (later runs) a refund at the channel and applies the answer.
 * Returns the refund's state afterwards; `pending` means ask again later.
 */
export async function syncRefund(
  db: Db,
  refundId: string,
  deps: RefundDeps,
  submit: boolean,
): Promise<RefundRow['status']> {
  const refund = await db
    .selectFrom('refunds')
    .selectAll()
    .where('id', '=', refundId)
    .executeTakeFirstOrThrow();
  if (refund.status !== 'pending') return refund.status;
  const order = await db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', refund.order_id)
    .executeTakeFirstOrThrow();
  const channel = deps.channels.adapter(order.channel as ChannelId);
  // the identity the order was paid under (a refund under the merchant's new sub-merchant id would not find it)
  const config = await deps.channels.configOf(refund, channel.id);
  const request = refundRequestOf(order, refund, deps.publicUrl);
  let status = submit
    ? await submitRefund(channel, config, request)
    : await channel.refundQuery(config, request);
  // never submitted (a crash before the first call) or lost on the way: send the same request again
  if (status.state === 'not_found' && !submit) status = await submitRefund(channel, config, request);
  await applyRefundStatus(db, order, refund.id, status, deps);
  return (
    await db.selectFrom('refunds').select('status').where('id', '=', refund.id).executeTakeFirstOrThrow()
  ).status;
}

/**
 * Submits a refund. A refusal is final only when the channel, asked, has no such refund: a
 * "number already used" answer (WeChat INVALID_REQUEST 退款单号重复…, a refused repeat of an
 * Alipay out_request_no, UnionPay respCode 12 重复交易) means the channel took the refund
 * under this number before, so its state is whatever the refund query says, never `failed`.
 * A refused query says nothing about money already sent, and is left to the next try.
 */
async function submitRefund(
  channel: Channel,
  config: ChannelConfig,
  request: RefundRequest,
): Promise<RefundStatus> {
  let refused: RefundStatus;
  try {
    const answer = await channel.refund(config, request);
    if (answer.state !== 'failed') return answer;
    refused = answer;
  } catch (error) {
    if (!(error instanceof ChannelError) || error.retryable) throw error;
    refused = { state: 'failed', code: error.channelCode ?? error.kind, message: error.message };
  }
  let found: RefundStatus;
  try {
    found = await channel.refundQuery(config, request);
  } catch (error) {
    if (!(error instanceof ChannelError) || error.retryable) throw error;
    return refused; // refused twice over: nothing says the channel holds this refund
  }
  return found.state === 'not_found' ? refused : found;
}

/** Applies the channel's answer about a refund once; returns true if it changed the refund. */
export async function applyRefundStatus(
  db: Db,
  order: OrderRow,
  refundId: string,
  status: RefundStatus,
  deps: TransitionDeps,
): Promise<boolean> {
  if (status.state === 'not_found') return false;
  if (status.state === 'pending') {
    // "still processing" only changes an abnormal refund (the channel is paying it again)
    const current = await db
      .selectFrom('refunds')
      .select('status')
      .where('id', '=', refundId)
      .executeTakeFirst();
    if (current?.status !== 'abnormal') return false;
  }
  return inTransaction(db, async (tx) => {
    await lockOrder(tx, order.id); // order first, then refund: the same lock order as createRefund
    const refund = await tx
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refundId)
      .where('order_id', '=', order.id)
      .forUpdate()
      .executeTakeFirst();
    if (!refund) return false;
    return transitionRefund(
      tx,
      order,
      refund,
      { type: 'channel_reported', state: status.state },
      status,
      deps,
    );
  });
}

/**
 * Applies one input to a locked refund (the order locked first): its new state, the order's
 * amount_refunded when the refund's money left the merchant (succeeded or abnormal, once), and
 * the event, all in the caller's transaction. Returns true if the refund changed.
 */
export async function transitionRefund(
  tx: Tx,
  order: OrderRow,
  refund: RefundRow,
  input: RefundInput,
  status: RefundStatus | undefined,
  deps: TransitionDeps,
): Promise<boolean> {
  const next = nextRefundState(refund.status, refund.abnormal_at !== null, input);
  if (next.status === refund.status) return false;
  const now = deps.clock.now();
  const detail = status?.code !== undefined || status?.message !== undefined;
  const updated = await tx
    .updateTable('refunds')
    .set({
      status: next.status,
      updated_at: now,
      channel_refund_no: status?.channelRefundNo ?? refund.channel_refund_no,
      ...(next.status === 'succeeded' ? { succeeded_at: now } : {}),
      // a refund on its way again (or made) no longer shows why it stopped; abnormal_at keeps the history
      ...(next.status === 'succeeded' || next.status === 'pending'
        ? { failure_code: null, failure_message: null }
        : {}),
      ...(next.status === 'abnormal' && refund.abnormal_at === null ? { abnormal_at: now } : {}),
      ...((next.status === 'failed' || next.status === 'abnormal') && detail
        ? { failure_code: status?.code ?? null, failure_message: status?.message ?? null }
        : {}),
    })
    .where('id', '=', refund.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (next.count) {
    await tx
      .updateTable('orders')
      .set((eb) => ({ amount_refunded: eb('amount_refunded', '+', refund.amount), updated_at: now }))
      .where('id', '=', order.id)
      .execute();
  }
  if (next.event) await emitRefundEvent(tx, updated, order, next.event, deps);
  return true;
}
