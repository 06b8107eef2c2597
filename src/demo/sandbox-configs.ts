import type { ChannelConfig, ChannelId } from '../channels/index.js';
import { ChannelError } from '../channels/channel.js';
import { H5_WALLET_CONFIGS, type H5Wallet } from '../channels/h5wallet/protocol/h5-wallet-protocol.js';

/**
 * The one source of channel configurations that point at the sandbox: the demo tenant
 * (demo/channels.ts) and the tests build theirs here, from the sandbox's published credentials
 * (GET /sandbox/credentials, sandbox/credentials.ts). Pointing a merchant at the sandbox is
 * configuration only, so no channel adapter knows of these; only the CLI, the demo and tests
 * import this file.
 */

/** The wechatpay part of GET /sandbox/credentials. */
export interface WechatpaySandboxCredentials {
  base_url: string;
  sp_mchid: string;
  sp_appid: string;
  sub_mchid: string;
  sub_appid?: string;
  merchant_serial: string;
  merchant_private_key: string;
  platform_serial: string;
  platform_public_key: string;
  platform_cert_serial?: string;
  platform_cert?: string;
  apiv3_key: string;
  apiv2_key: string;
}

/**
 * The channel configuration that points a merchant at the sandbox (the demo tenant uses it).
 * The OAuth pages and API live under `${sandboxBaseUrl}/wechatpay`; the sandbox checks only that
 * an app_secret is sent, so a placeholder stands in. Ordering uses sp_appid / sp_openid.
 */
export function wechatpayConfigFromSandbox(
  credentials: WechatpaySandboxCredentials,
  sandboxBaseUrl: string,
  /** `certificates`: certificate mode, the platform certificates fetched from the sandbox's /v3/certificates */
  platformKeys: 'public_key' | 'certificates' = 'public_key',
): ChannelConfig {
  const root = sandboxBaseUrl.replace(/\/+$/, '');
  const fields: Record<string, string> = {
    base_url: credentials.base_url || `${root}/wechatpay/`,
    sp_mchid: credentials.sp_mchid,
    sp_appid: credentials.sp_appid,
    sub_mchid: credentials.sub_mchid,
    merchant_serial: credentials.merchant_serial,
    merchant_private_key: credentials.merchant_private_key,
    platform_serial: credentials.platform_serial,
    platform_public_key: credentials.platform_public_key,
    apiv3_key: credentials.apiv3_key,
    apiv2_key: credentials.apiv2_key,
    app_secret: 'sandbox-app-secret',
    oauth_base: `${root}/wechatpay`,
    oauth_api_base: `${root}/wechatpay`,
    sandbox: '1',
  };
  if (platformKeys === 'certificates') {
    delete fields.platform_serial;
    delete fields.platform_public_key;
    fields.platform_cert_download = '1';
    return { channel: 'wechatpay', fields };
  }
  if (credentials.platform_cert) {
    fields.platform_cert = credentials.platform_cert;
    if (credentials.platform_cert_serial) fields.platform_cert_serial = credentials.platform_cert_serial;
  }
  return { channel: 'wechatpay', fields };
}

/** The `alipay` part of GET /sandbox/credentials, as a real Alipay sandbox hands it to a developer. */
export interface AlipaySandboxCredentials {
  gateway: string;
  app_id: string;
  app_private_key: string;
  alipay_public_key: string;
  app_auth_token?: string | undefined;
  auth_app_id?: string | undefined;
  seller_id?: string | undefined;
  isv_pid?: string | undefined;
}

/** Configuration fields pointing a merchant at the sandbox (the demo tenant uses these). */
export function alipayConfigFromSandbox(
  credentials: AlipaySandboxCredentials,
  sandboxBaseUrl: string,
): Record<string, string> {
  const base = sandboxBaseUrl.replace(/\/$/, '');
  const fields: Record<string, string | undefined> = {
    gateway: credentials.gateway || `${base}/alipay/gateway.do`,
    app_id: credentials.app_id,
    app_private_key: credentials.app_private_key,
    alipay_public_key: credentials.alipay_public_key,
    app_auth_token: credentials.app_auth_token,
    auth_app_id: credentials.auth_app_id,
    seller_id: credentials.seller_id,
    isv_pid: credentials.isv_pid,
    oauth_base: `${base}/alipay`,
    sandbox: '1',
  };
  return Object.fromEntries(
    Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}

/** The sandbox's test merchant (GET /sandbox/credentials → unionpay, or the generated keys) as a configuration. */
export function unionpayConfigFromSandbox(
  credentials: {
    mer_id: string;
    cert_id: string;
    sign_private_key: string;
    root_cert?: string | undefined;
    root_cert_pem?: string | undefined;
    middle_cert?: string | undefined;
    middle_cert_pem?: string | undefined;
  },
  sandboxBaseUrl: string,
): ChannelConfig {
  const rootCert = credentials.root_cert ?? credentials.root_cert_pem;
  const middleCert = credentials.middle_cert ?? credentials.middle_cert_pem;
  if (!rootCert) throw new ChannelError('config', 'the sandbox credentials carry no root certificate');
  if (!middleCert)
    throw new ChannelError('config', 'the sandbox credentials carry no intermediate certificate');
  return {
    channel: 'unionpay',
    fields: {
      base_url: `${sandboxBaseUrl.replace(/\/+$/, '')}/unionpay/`,
      mer_id: credentials.mer_id,
      cert_id: credentials.cert_id,
      sign_private_key: credentials.sign_private_key,
      root_cert: rootCert,
      middle_cert: middleCert,
      sandbox: 'true',
    },
  };
}

/** The sandbox's test merchant of a wallet (its published test key) as a configuration. */
export function h5WalletConfigFromSandbox(wallet: H5Wallet, sandboxBaseUrl: string): ChannelConfig {
  const account = H5_WALLET_CONFIGS[wallet];
  return {
    channel: wallet,
    fields: {
      base_url: `${sandboxBaseUrl.replace(/\/+$/, '')}/${wallet}/`,
      merchant_id: account.mchId,
      key: account.key,
      sandbox: '1',
    },
  };
}

/** The shape of GET /sandbox/credentials (CONTRACT §5) as far as configurations need it. */
export interface SandboxCredentials {
  wechatpay: WechatpaySandboxCredentials;
  alipay: AlipaySandboxCredentials;
  unionpay: Parameters<typeof unionpayConfigFromSandbox>[0];
}

/**
 * A configuration pointing at the sandbox for each channel it simulates: what the demo tenant and
 * tests use. Optional per channel: a channel without a simulator has none, and the demo leaves it
 * unconfigured.
 */
export function sandboxChannelConfigs(
  credentials: SandboxCredentials,
  sandboxUrl: string,
): Partial<Record<ChannelId, ChannelConfig>> {
  return {
    wechatpay: wechatpayConfigFromSandbox(credentials.wechatpay, sandboxUrl),
    alipay: { channel: 'alipay', fields: alipayConfigFromSandbox(credentials.alipay, sandboxUrl) },
    unionpay: unionpayConfigFromSandbox(credentials.unionpay, sandboxUrl),
    qqwallet: h5WalletConfigFromSandbox('qqwallet', sandboxUrl),
    jdpay: h5WalletConfigFromSandbox('jdpay', sandboxUrl),
    baiduwallet: h5WalletConfigFromSandbox('baiduwallet', sandboxUrl),
  };
}
