import type { ChannelPaymentState } from '../channels/channel.js';
import type { Fen } from '../core/money.js';

/**
 * The order state machine, pure. created → paying → succeeded | failed | closed.
 * Final states are never left: a success reported after a close is not dropped but becomes a
 * late-payment exception for an operator to refund or recover (the Jeepay failure mode in
 * ANCHORS §1), and a success whose amount differs is an exception too.
 */

export type OrderStatus = 'created' | 'paying' | 'succeeded' | 'failed' | 'closed';
export type OrderEventType = 'order.succeeded' | 'order.failed' | 'order.closed';
export type ExceptionKind = 'late_payment' | 'amount_mismatch' | 'refunded_at_channel';
/** the order's reverse (撤销), if JuhePay started one: succeeded = confirmed, failed = refused */
export type ReverseStatus = 'pending' | 'succeeded' | 'failed';

export const FINAL_STATUSES: readonly OrderStatus[] = ['succeeded', 'failed', 'closed'];

export function isFinal(status: OrderStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export type OrderInput =
  /** a channel order now exists for it */
  | { type: 'channel_order_created' }
  /** the channel says this about the payment (notification, query, pay-by-code answer) */
  | { type: 'channel_reported'; state: ChannelPaymentState; amount?: Fen | undefined }
  /** the channel confirmed the trade is closed (after our close or reverse request) */
  | { type: 'closed_at_channel' };

export interface Transition {
  status: OrderStatus;
  /** the webhook / stream event this transition emits, if it changed the order */
  event?: OrderEventType;
  exception?: ExceptionKind;
  /** the report is the channel's confirmation of our pending reverse */
  reverseConfirmed?: boolean;
}

/**
 * The next state for an order given one input; unchanged status means nothing to write.
 * `reverse` is the order's reverse (撤销), when JuhePay started one.
 */
export function nextOrderState(
  current: OrderStatus,
  orderAmount: Fen,
  input: OrderInput,
  reverse?: ReverseStatus,
): Transition {
  switch (input.type) {
    case 'channel_order_created':
      return { status: current === 'created' ? 'paying' : current };

    case 'closed_at_channel':
      return isFinal(current) ? { status: current } : { status: 'closed', event: 'order.closed' };

    case 'channel_reported':
      if (reverse === 'pending' || reverse === 'succeeded')
        return onReportWhileReversing(current, input.state);
      return onReport(current, orderAmount, input.state, input.amount);
  }
}

/**
 * JuhePay is reversing (or has reversed) this payment. Whatever was paid is being given back, so a
 * "paid" read now (UnionPay's original still reads 00 after its cancel; Alipay's notification of
 * the payment the cancel refunds) is never the order's success. A closed trade, or one paid and
 * refunded, is the reverse done at the channel: the order closes. The reverse decides the rest.
 */
function onReportWhileReversing(current: OrderStatus, state: ChannelPaymentState): Transition {
  if (isFinal(current) || (state !== 'closed' && state !== 'refunded')) return { status: current };
  return { status: 'closed', event: 'order.closed', reverseConfirmed: true };
}

function onReport(
  current: OrderStatus,
  orderAmount: Fen,
  state: ChannelPaymentState,
  paid: Fen | undefined,
): Transition {
  if (state === 'succeeded') {
    if (current === 'succeeded') return { status: current }; // a duplicate
    if (paid !== undefined && paid !== orderAmount) {
      // never mark an order paid for a different amount; an operator decides
      return { status: current, exception: 'amount_mismatch' };
    }
    if (current === 'closed' || current === 'failed') return { status: current, exception: 'late_payment' };
    return { status: 'succeeded', event: 'order.succeeded' };
  }
  if (state === 'refunded') {
    // paid, then all of it went back, and not by a reverse of ours: refunded outside JuhePay. The
    // order was paid (the refund is the merchant's business); an operator is told.
    if (paid !== undefined && paid !== orderAmount) return { status: current, exception: 'amount_mismatch' };
    if (current === 'succeeded') return { status: current };
    if (isFinal(current)) return { status: current, exception: 'refunded_at_channel' };
    return { status: 'succeeded', event: 'order.succeeded', exception: 'refunded_at_channel' };
  }
  if (isFinal(current)) return { status: current }; // stale news about a finished order
  switch (state) {
    case 'closed':
      return { status: 'closed', event: 'order.closed' };
    case 'failed':
      return { status: 'failed', event: 'order.failed' };
    case 'pending':
    case 'user_paying':
      return { status: 'paying' };
    case 'not_found':
      return { status: current };
  }
}
