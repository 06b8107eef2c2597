import type { ChannelPaymentState, PaymentStatus } from '../channels/channel.js';
import type { ChannelRegistry } from '../channels/registry.js';
import { ApiError } from '../core/errors.js';
import type { Db } from '../platform/db/index.js';
import type { OrderRow } from './order-view.js';
import { transitionOrder, type TransitionDeps } from './order-transitions.js';
import { channelOrderFor, facts } from './channel-calls.js';

export interface CloseDeps extends TransitionDeps {
  channels: ChannelRegistry;
}

/**
 * Closes an unpaid order, at the channel first: only when the channel confirms (or never had the
 * trade) is the order closed. If the channel reports it paid, the order succeeds instead.
 */
export async function closeOrder(
  db: Db,
  order: OrderRow,
  deps: CloseDeps,
  reason: 'merchant' | 'expired',
): Promise<OrderRow> {
  if (order.status === 'succeeded')
    throw new ApiError('state_conflict', 'a paid order cannot be closed; refund it instead', 'id');
  if (order.status === 'closed' || order.status === 'failed') return order;

  let status: PaymentStatus = { state: 'not_found' };
  if (order.status === 'paying' && order.channel) {
    const channel = deps.channels.adapter(order.channel as never);
    const config = await deps.channels.config(order.merchant_id, channel.id);
    status = await channel.close(config, channelOrderFor(order, deps.publicUrl));
  }
  const closedStates: ChannelPaymentState[] = ['closed', 'not_found', 'failed'];
  const input = closedStates.includes(status.state)
    ? ({ type: 'closed_at_channel' } as const)
    : ({ type: 'channel_reported', state: status.state, amount: status.amount } as const);
  const { order: after } = await transitionOrder(db, order.id, input, facts(order, status), deps);
  if (after.status === 'succeeded' && reason === 'merchant') {
    throw new ApiError('state_conflict', 'the order was paid before it could be closed', 'id');
  }
  if (after.status !== 'closed' && after.status !== 'succeeded' && reason === 'merchant') {
    throw new ApiError(
      'channel_failed',
      `the channel did not close the trade (state ${status.state}); try again`,
    );
  }
  return after;
}
