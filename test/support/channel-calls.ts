import type { ChannelError, ChannelOrder } from '../../src/channels/channel.js';
import { newId } from '../../src/core/ids.js';

/** What a channel call failed with (a ChannelError), or undefined when it succeeded. */
export function rejection(p: Promise<unknown>): Promise<ChannelError | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => e as ChannelError,
  );
}

/** An order of `amount` fen as the adapters get it: notified to `notifyUrl`, expiring in 15 minutes. */
export function channelOrder(
  notifyUrl: string,
  amount: number,
  extra: Partial<ChannelOrder> = {},
): ChannelOrder {
  return {
    outTradeNo: newId('order'),
    amount,
    subject: '测试商品 adapter',
    notifyUrl,
    expiresAt: new Date(Date.now() + 15 * 60_000),
    createdAt: new Date(),
    ...extra,
  };
}
