import { ChannelError, type ChannelConfig, type PayWay } from '../channel.js';
import { field, FLAG_FORMAT, token, URL_FORMAT, type ConfigFields } from '../config-fields.js';
import type { H5Wallet } from './protocol/h5-wallet-protocol.js';

/**
 * A merchant's configuration for one H5 wallet (QQ Wallet, JD Pay, Baidu Wallet): where the
 * wallet's API is, the merchant's id there and the signing key. The protocol is the sandbox's
 * documented H5 wallet protocol (protocol/h5-wallet-protocol.ts); a real wallet that
 * speaks it is configuration only.
 */

export const H5_WALLET_CONFIG_FIELDS = {
  base_url: field(URL_FORMAT, 'the wallet API root, e.g. https://pay.example/qqwallet/', { required: true }),
  merchant_id: field(token(1, 64), "the merchant's id at the wallet", { required: true }),
  key: field(token(8, 128), 'the HMAC-SHA256 signing key', { required: true, secret: true }),
  sandbox: field(FLAG_FORMAT, '"1" when base_url is the JuhePay sandbox'),
} as const satisfies ConfigFields;

export const H5_WALLET_PAY_WAY: Record<H5Wallet, PayWay> = {
  qqwallet: 'qqwallet_jsapi',
  jdpay: 'jdpay_h5',
  baiduwallet: 'baiduwallet_h5',
};

export interface H5WalletSettings {
  baseUrl: string;
  merchantId: string;
  key: string;
}

export function h5WalletSettings(wallet: H5Wallet, config: ChannelConfig): H5WalletSettings {
  if (config.channel !== wallet)
    throw new ChannelError('config', `a ${config.channel} configuration was given to the ${wallet} adapter`);
  const get = (name: keyof typeof H5_WALLET_CONFIG_FIELDS) => {
    const value = config.fields[name];
    if (!value) throw new ChannelError('config', `${wallet} configuration lacks ${name}`);
    return value;
  };
  const baseUrl = get('base_url');
  if (!/^https?:\/\/\S+$/.test(baseUrl))
    throw new ChannelError('config', `${wallet} base_url must be an http(s) URL`);
  return {
    baseUrl: baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`,
    merchantId: get('merchant_id'),
    key: get('key'),
  };
}
