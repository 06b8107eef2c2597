import type { ChannelId, ChannelPaymentState, PaymentStatus } from '../channels/channel.js';
import type { ChannelRegistry } from '../channels/registry.js';
import { ApiError } from '../core/errors.js';
import { inTransaction, type Db } from '../platform/db/index.js';
import type { OrderRow } from './order-view.js';
import { lockOrder, transitionLocked, transitionOrder, type TransitionDeps } from './order-transitions.js';
import { channelOrderFor, facts } from './channel-calls.js';
import { reverseOf } from './reverse-rows.js';

export interface CloseDeps extends TransitionDeps {
  channels: ChannelRegistry;
}

/**
 * Closes an unpaid order, at the channel first: only when the channel confirms (or never had the
 * trade) is the order closed. If the channel reports it paid, the order succeeds instead.
 */
export async function closeOrder(
  db: Db,
  given: OrderRow,
  deps: CloseDeps,
  reason: 'merchant' | 'expired',
): Promise<OrderRow> {
  // the caller's copy may be old: a customer may have opened a channel order since it was read
  const order = await db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', given.id)
    .executeTakeFirstOrThrow();
  if (order.status === 'succeeded')
    throw new ApiError('state_conflict', 'a paid order cannot be closed; refund it instead', 'id');
  if (order.status === 'closed' || order.status === 'failed') return order;
  if (await reverseOf(db, order.id)) {
    // a payment-code order being reversed (撤销) ends by its reverse, never by a second cancel
    if (reason === 'expired') return order;
    throw new ApiError('state_conflict', 'the payment is being reversed; the order ends with it', 'id');
  }

  if (order.status === 'created') {
    // No channel order: close here, unless one was opened meanwhile (then close that at the channel).
    const closed = await inTransaction(db, async (tx) => {
      const locked = await lockOrder(tx, order.id);
      if (locked.status !== 'created') return undefined;
      return (await transitionLocked(tx, order.id, { type: 'closed_at_channel' }, {}, deps)).order;
    });
    return closed ?? closeOrder(db, order, deps, reason);
  }

  let status: PaymentStatus = { state: 'not_found' };
  if (order.channel) {
    const channel = deps.channels.adapter(order.channel as ChannelId);
    const config = await deps.channels.configOf(order, channel.id); // the identity it was opened with
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
