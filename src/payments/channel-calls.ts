import type { ChannelId, ChannelOrder, PaymentStatus, PayWay } from '../channels/channel.js';
import type { OrderRow } from './order-view.js';
import type { ChannelFacts } from './order-transitions.js';

/** Translations between an order row and what the Channel interface speaks. Pure. */

export function channelOrderOf(order: OrderRow, notifyUrl = '', payerId?: string): ChannelOrder {
  return {
    outTradeNo: order.id,
    amount: order.amount,
    subject: order.subject,
    notifyUrl,
    returnUrl: order.return_url ?? undefined,
    expiresAt: order.expires_at,
    clientIp: order.client_ip ?? undefined,
    payerId: payerId ?? order.channel_payer_id ?? undefined,
    createdAt: order.channel_order_created_at ?? order.created_at,
  };
}

/**
 * The channel order of an order already at a channel, with the notify URL it was opened with
 * (cancels need one): a later call from any node repeats the original request's values.
 */
export function channelOrderFor(order: OrderRow, publicUrl: string): ChannelOrder {
  const notifyUrl =
    order.channel_notify_url ??
    (order.channel ? channelNotifyUrl(publicUrl, order.channel as ChannelId, order.merchant_id) : '');
  return channelOrderOf(order, notifyUrl);
}

export function facts(order: OrderRow, status: PaymentStatus): ChannelFacts {
  return {
    channel: (order.channel ?? undefined) as ChannelId | undefined,
    payWay: (order.pay_way ?? undefined) as PayWay | undefined,
    channelTradeNo: status.channelTradeNo,
    payer: status.payer,
    paidAt: status.paidAt,
    amount: status.amount,
    failureCode: status.code,
    failureMessage: status.message,
  };
}

/** The URL a channel notifies for a merchant's orders (its config decides how to verify them). */
export function channelNotifyUrl(publicUrl: string, channel: ChannelId, merchantId: string): string {
  return `${publicUrl}/notify/${channel}/${merchantId}`;
}
