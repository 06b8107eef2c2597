import type { ChannelEntry } from '../entry.js';
import { createH5WalletChannel } from './adapter.js';
import { H5_WALLET_CONFIG_FIELDS } from './config.js';
import type { H5Wallet } from './protocol/h5-wallet-protocol.js';

/** The registry entry of one H5 wallet (QQ Wallet, JD Pay, Baidu Wallet speak the same protocol). */
export function h5wallet(wallet: H5Wallet): ChannelEntry {
  return {
    adapter: () => createH5WalletChannel(wallet),
    configFields: H5_WALLET_CONFIG_FIELDS,
  };
}
