import type { RefundState } from '../channels/channel.js';

/**
 * The refund state machine, pure. pending → succeeded | failed | abnormal; abnormal → pending
 * (an operator redirected it, or the channel is paying it again) → succeeded | abnormal.
 *
 * Money: a refund's amount is in the order's amount_refunded once it succeeded or became abnormal
 * (an abnormal refund left the merchant; only its destination is wrong), and stays there: nothing
 * that can follow an abnormal refund moves the money back to the merchant through JuhePay, so a
 * `failed` report about a refund already counted keeps it abnormal for an operator, never failed
 * (which would make the amount refundable twice).
 */

export type RefundStatus = 'pending' | 'succeeded' | 'failed' | 'abnormal';
export type RefundEventType = 'refund.succeeded' | 'refund.failed' | 'refund.abnormal';

export type RefundInput =
  /** the channel says this about the refund (submit answer, query, notification) */
  | { type: 'channel_reported'; state: RefundState }
  /** the channel accepted an operator's apply-abnormal-refund: it is paying the refund again */
  | { type: 'abnormal_applied' };

export interface RefundTransition {
  status: RefundStatus;
  /** add the refund's amount to the order's amount_refunded (once per refund, ever) */
  count: boolean;
  event?: RefundEventType;
}

/** `counted`: the refund's amount is already in amount_refunded (it was abnormal before). */
export function nextRefundState(
  current: RefundStatus,
  counted: boolean,
  input: RefundInput,
): RefundTransition {
  const stay: RefundTransition = { status: current, count: false };
  if (current === 'succeeded' || current === 'failed') return stay; // final
  if (input.type === 'abnormal_applied')
    return current === 'abnormal' ? { status: 'pending', count: false } : stay;
  switch (input.state) {
    case 'succeeded':
      return { status: 'succeeded', count: !counted, event: 'refund.succeeded' };
    case 'abnormal':
      return current === 'abnormal'
        ? stay
        : { status: 'abnormal', count: !counted, event: 'refund.abnormal' };
    case 'failed':
      if (!counted) return { status: 'failed', count: false, event: 'refund.failed' };
      // the money already left the merchant: an operator looks at it again
      return current === 'abnormal' ? stay : { status: 'abnormal', count: false, event: 'refund.abnormal' };
    case 'pending':
      // an abnormal refund the channel is paying again (redirected in its merchant platform)
      return current === 'abnormal' ? { status: 'pending', count: false } : stay;
    case 'not_found':
      return stay;
  }
}

/** Refunds whose amount is no longer refundable: in flight, made, or made but not received. */
export const REFUNDS_HOLDING_AMOUNT: readonly RefundStatus[] = ['pending', 'succeeded', 'abnormal'];
