import { ChannelError, type PaymentStatus } from '../channel.js';
import type { WalletMessage } from './protocol/h5-wallet-protocol.js';

/** A wallet payment (query answer or notification) → the state JuhePay decides on. Pure. */

const STATES = { WAIT_PAY: 'pending', SUCCESS: 'succeeded', CLOSED: 'closed' } as const;

export function walletPaymentStatus(m: WalletMessage): PaymentStatus {
  const state =
    typeof m.status === 'string' && Object.hasOwn(STATES, m.status)
      ? STATES[m.status as keyof typeof STATES]
      : undefined;
  if (!state) throw new ChannelError('system_error', `unknown wallet payment status ${String(m.status)}`);
  const status: PaymentStatus = { state, code: String(m.status) };
  if (typeof m.payment_id === 'string') status.channelTradeNo = m.payment_id;
  if (state === 'succeeded') {
    if (typeof m.amount === 'number') status.amount = m.amount;
    const paidAt = typeof m.paid_at === 'string' && m.paid_at !== '' ? new Date(m.paid_at) : undefined;
    if (paidAt && !Number.isNaN(paidAt.getTime())) status.paidAt = paidAt;
  }
  return status;
}

/**
 * The page the wallet sends the customer back to. The protocol requires one; an order without
 * a return URL goes back to JuhePay's own root (the origin of its notify URL).
 */
export function returnUrlOf(returnUrl: string | undefined, notifyUrl: string): string {
  if (returnUrl) return returnUrl;
  try {
    return `${new URL(notifyUrl).origin}/`;
  } catch {
    throw new ChannelError('rejected', 'the order has neither a return URL nor a notify URL');
  }
}
