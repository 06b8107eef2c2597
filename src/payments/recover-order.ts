import type { ChannelId } from '../channels/channel.js';
import { channelOrderFor, facts } from './channel-calls.js';
import type { PaymentJobDeps } from './jobs.js';
import { transitionOrder } from './order-transitions.js';

/**
 * One poll step, on demand: asks the channel about an order and applies the answer (the same
 * transition the polling job makes), so a payment the channel reports lands: a paying order
 * succeeds; a payment on a closed order becomes a payment exception. Reconciliation calls it for
 * the trades a bill lists and JuhePay does not count. Channel trouble throws.
 */
export function orderRecovery(deps: PaymentJobDeps): (orderId: string) => Promise<void> {
  return async (orderId) => {
    const order = await deps.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
    if (!order?.channel || order.status === 'succeeded') return;
    const channel = deps.channels.adapter(order.channel as ChannelId);
    const status = await channel.query(
      await deps.channels.configOf(order, channel.id),
      channelOrderFor(order, deps.publicUrl),
    );
    await transitionOrder(
      deps.db,
      order.id,
      { type: 'channel_reported', state: status.state, amount: status.amount },
      facts(order, status),
      deps,
    );
  };
}
