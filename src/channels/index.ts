import type { Clock } from '../core/clock.js';
import { H5_WALLETS } from './h5wallet/protocol/h5-wallet-protocol.js';
import { createAlipayChannel } from './alipay/adapter.js';
import type { Channel } from './channel.js';
import { createH5WalletChannel } from './h5wallet/adapter.js';
import { createUnionpayChannel } from './unionpay/adapter.js';
import { createWechatpayChannel } from './wechatpay/adapter.js';

export type { Channel, ChannelConfig, ChannelId, PayWay } from './channel.js';
export { ChannelRegistry, type ChannelConfigSource } from './registry.js';

/** Every channel adapter of the installation; a new channel adds itself here. */
export function createChannelAdapters(clock: Clock): Channel[] {
  return [
    createWechatpayChannel({ clock }),
    createAlipayChannel({ clock }),
    createUnionpayChannel({ clock }),
    ...H5_WALLETS.map((wallet) => createH5WalletChannel(wallet)),
  ];
}
