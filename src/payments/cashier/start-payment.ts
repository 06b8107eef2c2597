import type { ChannelId, PayWay, WalletAction } from '../../channels/channel.js';
import { PAY_WAY_CHANNEL } from '../../channels/channel.js';
import type { ChannelRegistry } from '../../channels/registry.js';
import { ApiError } from '../../core/errors.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { channelNotifyUrl, channelOrderOf } from '../channel-calls.js';
import { schedulePoll } from '../jobs.js';
import { isFinal } from '../order-machine.js';
import { lockOrder, transitionLocked, type TransitionDeps } from '../order-transitions.js';
import type { OrderRow } from '../order-view.js';

export interface StartDeps extends TransitionDeps {
  channels: ChannelRegistry;
}

/**
 * Opens the channel order for a wallet and returns what the wallet must do. A repeat (the same
 * customer scanning again, a page reload) gets the stored action instead of a second channel
 * order. The channel call happens outside any transaction; the order row is locked only to record
 * its answer.
 */
export async function startWalletPayment(
  db: Db,
  deps: StartDeps,
  order: OrderRow,
  payWay: PayWay,
  payerId: string | undefined,
): Promise<{ order: OrderRow; action?: WalletAction }> {
  if (isFinal(order.status)) return { order };
  const reusable =
    order.status === 'paying' &&
    order.pay_way === payWay &&
    order.channel_action !== null &&
    order.channel_payer_id === (payerId ?? null);
  if (reusable) return { order, action: order.channel_action as unknown as WalletAction };
  if (order.status === 'paying' && order.pay_way !== payWay) {
    throw new ApiError('state_conflict', `this order is already being paid with ${order.pay_way}`, 'pay_way');
  }
  if (order.pay_way && order.pay_way !== payWay) {
    throw new ApiError('state_conflict', `this order can only be paid with ${order.pay_way}`, 'pay_way');
  }

  if (deps.clock.nowMs() >= order.expires_at.getTime()) {
    // the expiry job may be late; an expired order must not get a fresh channel order
    throw new ApiError('state_conflict', 'this order has expired', 'id');
  }
  const channelId: ChannelId = PAY_WAY_CHANNEL[payWay];
  const channel = deps.channels.adapter(channelId);
  const fixed = await fixChannelRequest(db, deps, order, channelId);
  const config = await deps.channels.configOf(fixed, channelId);
  const createdAt = fixed.channel_order_created_at ?? deps.clock.now();
  const channelOrder = {
    ...channelOrderOf(fixed, fixed.channel_notify_url ?? '', payerId),
    createdAt,
    returnUrl: fixed.channel_return_url ?? undefined,
  };
  const created = await channel.create(config, payWay, channelOrder);

  return inTransaction(db, async (tx) => {
    const current = await lockOrder(tx, order.id);
    if (current.status !== 'created' && !(current.status === 'paying' && current.pay_way === payWay)) {
      return {
        order: current,
        ...(current.channel_action ? { action: current.channel_action as unknown as WalletAction } : {}),
      };
    }
    await tx
      .updateTable('orders')
      .set({
        channel: channelId,
        pay_way: payWay,
        channel_action: JSON.stringify(created.action),
        channel_payer_id: payerId ?? null,
        ...(created.channelTradeNo ? { channel_trade_no: created.channelTradeNo } : {}),
        updated_at: createdAt,
      })
      .where('id', '=', order.id)
      .execute();
    const { order: after } = await transitionLocked(
      tx,
      order.id,
      { type: 'channel_order_created' },
      {},
      deps,
    );
    if (current.status === 'created') await schedulePoll(tx, order.id, 1, deps.clock);
    return { order: after, action: created.action };
  });
}

/**
 * Fixes, once, what the channel order is opened with: the channel identity (a configuration
 * version) and the notify / return URLs. Whichever node or scan comes first decides; every later
 * attempt (a reload, another node) sends exactly the same request, so the channel reads it as a
 * repeat instead of a conflicting reuse of the out_trade_no.
 */
async function fixChannelRequest(
  db: Db,
  deps: StartDeps,
  order: OrderRow,
  channelId: ChannelId,
): Promise<OrderRow> {
  const fixedFor = (row: OrderRow) =>
    row.channel_notify_url?.endsWith(channelNotifyUrl('', channelId, order.merchant_id)) === true;
  if (fixedFor(order)) return order;
  const { versionId } = await deps.channels.snapshot(order.merchant_id, channelId);
  return inTransaction(db, async (tx) => {
    const current = await lockOrder(tx, order.id);
    if (fixedFor(current)) return current;
    return tx
      .updateTable('orders')
      .set({
        channel_config_version_id: versionId,
        channel_notify_url: channelNotifyUrl(deps.publicUrl, channelId, order.merchant_id),
        channel_return_url: `${deps.publicUrl}/pay/${order.id}`,
        // an order already at this channel (opened before identities were recorded) keeps its time
        channel_order_created_at:
          current.channel === channelId
            ? (current.channel_order_created_at ?? deps.clock.now())
            : deps.clock.now(),
      })
      .where('id', '=', order.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
