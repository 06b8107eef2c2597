import type {
  ChannelId,
  ChannelNotification,
  NotificationAck,
  RawNotification,
} from '../channels/channel.js';
import { ChannelError } from '../channels/channel.js';
import type { ChannelRegistry } from '../channels/registry.js';
import type { Db } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { facts } from './channel-calls.js';
import { transitionOrder, type TransitionDeps } from './order-transitions.js';
import { applyRefundStatus } from './refunds.js';

/**
 * A channel notification, end to end: verify it with the identity its order was placed with, check
 * it belongs to an order of that merchant on that channel, apply it once, and answer the channel
 * in its own format. Unverifiable notifications (signature probes included) are refused; failures
 * of our own answer an error so the channel retries.
 */

export interface NotificationDeps extends TransitionDeps {
  channels: ChannelRegistry;
  logger: Logger;
}

export type NotificationOutcome =
  'applied' | 'duplicate' | 'exception' | 'rejected' | 'unknown_order' | 'error';

export async function handleChannelNotification(
  db: Db,
  deps: NotificationDeps,
  channelId: ChannelId,
  merchantId: string,
  raw: { headers: Record<string, string | string[] | undefined>; body: string },
): Promise<{ ack: NotificationAck; outcome: NotificationOutcome }> {
  const channel = deps.channels.adapter(channelId);
  let notification: ChannelNotification | undefined;
  let outcome: NotificationOutcome;
  let detail: string | undefined;
  try {
    notification = await verifiedNotification(db, deps, channelId, merchantId, raw);
    outcome = await apply(db, deps, channelId, merchantId, notification);
  } catch (error) {
    outcome = error instanceof ChannelError && error.kind === 'invalid_notification' ? 'rejected' : 'error';
    detail = error instanceof Error ? error.message : String(error);
    if (outcome === 'error')
      deps.logger.error({ err: error, channel: channelId, merchantId }, 'notification failed');
  }
  await db
    .insertInto('channel_notifications')
    .values({
      channel: channelId,
      merchant_id: merchantId,
      out_trade_no: notification?.outTradeNo ?? null,
      kind: notification?.kind ?? null,
      outcome,
      detail: detail?.slice(0, 500) ?? null,
      received_at: deps.clock.now(),
    })
    .execute()
    .catch((err: unknown) => deps.logger.warn({ err }, 'could not log a channel notification'));
  const accepted = outcome !== 'rejected' && outcome !== 'error';
  return { ack: channel.ack(accepted), outcome };
}

/**
 * Verifies a notification with the identity of the order it is about (issue 9): it is decoded with
 * the first of the merchant's configurations that verifies it (now, then recorded versions), then,
 * when its order was placed under another version, verified again with that order's snapshot, so
 * a notification is accepted only as authentic for the identity the order was placed with.
 */
async function verifiedNotification(
  db: Db,
  deps: NotificationDeps,
  channelId: ChannelId,
  merchantId: string,
  raw: RawNotification,
): Promise<ChannelNotification> {
  const channel = deps.channels.adapter(channelId);
  const candidates = await deps.channels.notificationCandidates(merchantId, channelId);
  if (candidates.length === 0) await deps.channels.config(merchantId, channelId); // throws: not set up
  let firstError: unknown;
  for (const candidate of candidates) {
    let notification: ChannelNotification;
    try {
      notification = await channel.parseNotification(candidate.config, raw);
    } catch (error) {
      if (!(error instanceof ChannelError && error.kind === 'invalid_notification')) throw error;
      firstError ??= error;
      continue;
    }
    const order = await db
      .selectFrom('orders')
      .select(['merchant_id', 'channel_config_version_id'])
      .where('id', '=', notification.outTradeNo)
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    const placedWith = order?.channel_config_version_id ?? null;
    if (!order || placedWith === null || placedWith === candidate.versionId) return notification;
    return channel.parseNotification(await deps.channels.configOf(order, channelId), raw);
  }
  throw firstError;
}

async function apply(
  db: Db,
  deps: NotificationDeps,
  channelId: ChannelId,
  merchantId: string,
  notification: ChannelNotification,
): Promise<NotificationOutcome> {
  const order = await db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', notification.outTradeNo)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst();
  // Not ours, or not on this channel: acknowledged (retrying cannot help) and logged for operators.
  if (!order || (order.channel !== null && order.channel !== channelId)) return 'unknown_order';
  if (notification.kind === 'refund') {
    const changed = await applyRefundStatus(db, order, notification.outRefundNo, notification.status, deps);
    return changed ? 'applied' : 'duplicate';
  }
  const { changed, exception } = await transitionOrder(
    db,
    order.id,
    { type: 'channel_reported', state: notification.status.state, amount: notification.status.amount },
    { ...facts(order, notification.status), channel: channelId },
    deps,
  );
  return exception ? 'exception' : changed ? 'applied' : 'duplicate';
}
