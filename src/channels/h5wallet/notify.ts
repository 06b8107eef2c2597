import {
  ChannelError,
  type ChannelConfig,
  type ChannelNotification,
  type NotificationAck,
  type RawNotification,
} from '../channel.js';
import { h5WalletSettings } from './config.js';
import { asWalletMessage, verifyWalletMessage, type H5Wallet } from './protocol/h5-wallet-protocol.js';
import { walletPaymentStatus } from './status.js';

/** A wallet's payment notification: JSON signed with the merchant's key, about this merchant's id. */
export function parseWalletNotification(
  wallet: H5Wallet,
  config: ChannelConfig,
  raw: RawNotification,
): ChannelNotification {
  const settings = h5WalletSettings(wallet, config);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.body);
  } catch {
    throw new ChannelError('invalid_notification', `${wallet} notification is not JSON`);
  }
  const m = asWalletMessage(
    parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined,
  );
  if (!m || !verifyWalletMessage(m, settings.key))
    throw new ChannelError('invalid_notification', `${wallet} notification does not verify`);
  if (m.mch_id !== settings.merchantId)
    throw new ChannelError(
      'invalid_notification',
      `${wallet} notification for merchant ${String(m.mch_id)}, not ours`,
    );
  if (typeof m.out_trade_no !== 'string' || m.out_trade_no === '')
    throw new ChannelError('invalid_notification', `${wallet} notification without out_trade_no`);
  try {
    return { kind: 'payment', outTradeNo: m.out_trade_no, status: walletPaymentStatus(m) };
  } catch (error) {
    throw new ChannelError('invalid_notification', error instanceof Error ? error.message : String(error));
  }
}

/** the wallet judges by the HTTP status: 200 stops its retries */
export function walletAck(accepted: boolean): NotificationAck {
  return accepted
    ? { status: 200, contentType: 'text/plain', body: 'SUCCESS' }
    : { status: 500, contentType: 'text/plain', body: 'FAIL' };
}
