import { createPrivateKey, type KeyObject } from 'node:crypto';
import { ChannelError, type ChannelConfig } from '../channel.js';
import {
  digits,
  field,
  FLAG_FORMAT,
  hex,
  PEM_FORMAT,
  token,
  URL_FORMAT,
  type ConfigFields,
} from '../config-fields.js';
import { certificateSerial, keyringFrom, type Keyring } from './protocol/v3-signing.js';

/**
 * A merchant's WeChat Pay configuration (partner mode: a service provider's sp_mchid ordering for
 * the merchant's sub_mchid). Pointing a merchant at the real channel or at the sandbox is a matter
 * of these fields only. Parsing is pure: it names the first bad field in a ChannelError('config').
 */

const APPID = { pattern: /^wx[0-9a-f]{16}$/, hint: 'wx + 16 hex digits' };

/** The fields a WeChat Pay configuration has, with the formats the merchants module checks. */
export const WECHATPAY_CONFIG_FIELDS = {
  base_url: field(URL_FORMAT, 'API base URL, default https://api.mch.weixin.qq.com/'),
  sp_mchid: field(digits(6, 16), 'service provider merchant id (服务商商户号)', { required: true }),
  sp_appid: field(APPID, "service provider's official account appid", { required: true }),
  sub_mchid: field(digits(6, 16), "the merchant's sub-merchant id (特约商户号)", { required: true }),
  sub_appid: field(APPID, "the merchant's own appid; JSAPI then orders with sub_openid"),
  merchant_serial: field(hex(8, 64), 'serial of the merchant API certificate (hex)', { required: true }),
  merchant_private_key: field(PEM_FORMAT, 'apiclient_key.pem (PKCS#8 or PKCS#1)', {
    required: true,
    secret: true,
  }),
  merchant_cert: field(PEM_FORMAT, 'apiclient_cert.pem, for the TLS client certificate v2 reverse needs'),
  platform_serial: field(
    {
      pattern: /^(PUB_KEY_ID_[0-9A-Za-z_]{1,64}|[0-9A-Fa-f]{8,64})$/,
      hint: 'PUB_KEY_ID_… or a certificate serial in hex',
    },
    'PUB_KEY_ID_… of the WeChat Pay public key (public-key mode)',
  ),
  platform_public_key: field(PEM_FORMAT, 'WeChat Pay public key PEM (public-key mode)'),
  platform_cert_serial: field(hex(8, 64), 'platform certificate serial; read from platform_cert when absent'),
  platform_cert: field(PEM_FORMAT, 'platform certificate PEM (certificate mode)'),
  platform_cert_download: field(
    FLAG_FORMAT,
    '"1": certificate mode with the platform certificates fetched from GET /v3/certificates (decrypted with apiv3_key, renewed before they expire)',
  ),
  apiv3_key: field(token(32, 32), 'APIv3 key: decrypts notifications (32 characters)', {
    required: true,
    secret: true,
  }),
  apiv2_key: field(token(32, 32), 'APIv2 key: signs 付款码 calls (32 characters)', {
    required: true,
    secret: true,
  }),
  app_secret: field(token(8, 128), 'AppSecret of the OAuth appid (sub_appid or sp_appid)', { secret: true }),
  oauth_base: field(URL_FORMAT, 'OAuth page base, default https://open.weixin.qq.com'),
  oauth_api_base: field(URL_FORMAT, 'OAuth API base, default https://api.weixin.qq.com'),
  sandbox: field(FLAG_FORMAT, '"1" when base_url is the JuhePay sandbox: wallet actions get a sandbox_url'),
} as const satisfies ConfigFields;

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com/';
export const DEFAULT_OAUTH_BASE = 'https://open.weixin.qq.com';
export const DEFAULT_OAUTH_API_BASE = 'https://api.weixin.qq.com';

export interface WechatpaySettings {
  /** always ends with '/' so relative API paths resolve under it */
  baseUrl: string;
  spMchid: string;
  spAppid: string;
  subMchid: string;
  subAppid: string | undefined;
  merchantSerial: string;
  merchantPrivateKey: KeyObject;
  merchantPrivateKeyPem: string;
  merchantCert: string | undefined;
  keyring: Keyring;
  /** certificate mode fed by GET /v3/certificates (platform-certs.ts) */
  platformCertDownload: boolean;
  apiv3Key: string;
  apiv2Key: string;
  appSecret: string | undefined;
  oauthBase: string;
  oauthApiBase: string;
  sandbox: boolean;
}

const bad = (field: string, issue: string) =>
  new ChannelError('config', `wechatpay config ${field}: ${issue}`);

function url(fields: Record<string, string>, name: string, fallback: string): string {
  const value = fields[name]?.trim() || fallback;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw bad(name, 'is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw bad(name, 'must be http(s)');
  return value;
}

/** Validates and opens a configuration; throws ChannelError('config') naming the field. */
export function parseWechatpayConfig(config: ChannelConfig): WechatpaySettings {
  if (config.channel !== 'wechatpay') throw bad('channel', `is ${config.channel}, not wechatpay`);
  const f = config.fields;
  const need = (name: string, pattern?: RegExp, issue = 'has the wrong format'): string => {
    const value = f[name]?.trim();
    if (!value) throw bad(name, 'is required');
    if (pattern && !pattern.test(value)) throw bad(name, issue);
    return value;
  };
  const optional = (name: string) => f[name]?.trim() || undefined;
  const spMchid = need('sp_mchid', /^\d{1,32}$/, 'must be digits');
  const spAppid = need('sp_appid', /^[0-9A-Za-z_]{1,32}$/);
  const subMchid = need('sub_mchid', /^\d{1,32}$/, 'must be digits');
  const subAppid = optional('sub_appid');
  if (subAppid !== undefined && !/^[0-9A-Za-z_]{1,32}$/.test(subAppid))
    throw bad('sub_appid', 'has the wrong format');
  const merchantSerial = need('merchant_serial', /^[0-9A-Fa-f]{8,64}$/, 'must be the hex certificate serial');
  const merchantPrivateKeyPem = need('merchant_private_key');
  let merchantPrivateKey: KeyObject;
  try {
    merchantPrivateKey = createPrivateKey(merchantPrivateKeyPem);
  } catch {
    throw bad('merchant_private_key', 'is not a PEM private key');
  }
  const apiv3Key = need('apiv3_key', /^[\x21-\x7e]{32}$/, 'must be 32 printable ASCII characters');
  const apiv2Key = need('apiv2_key', /^[\x21-\x7e]{32}$/, 'must be 32 printable ASCII characters');
  const flag = optional('platform_cert_download');
  if (flag !== undefined && !/^(1|0|true|false)$/.test(flag))
    throw bad('platform_cert_download', 'must be 1 or 0');
  const certDownload = flag === '1' || flag === 'true';
  let baseUrl = url(f, 'base_url', DEFAULT_BASE_URL);
  if (!baseUrl.endsWith('/')) baseUrl += '/';
  return {
    baseUrl,
    spMchid,
    spAppid,
    subMchid,
    subAppid,
    merchantSerial: merchantSerial.toUpperCase(),
    merchantPrivateKey,
    merchantPrivateKeyPem,
    merchantCert: optional('merchant_cert'),
    keyring: platformKeyring(f, merchantSerial, certDownload),
    platformCertDownload: certDownload,
    apiv3Key,
    apiv2Key,
    appSecret: optional('app_secret'),
    oauthBase: url(f, 'oauth_base', DEFAULT_OAUTH_BASE).replace(/\/+$/, ''),
    oauthApiBase: url(f, 'oauth_api_base', DEFAULT_OAUTH_API_BASE).replace(/\/+$/, ''),
    sandbox: f.sandbox === '1' || f.sandbox === 'true',
  };
}

/** Both key modes at once (WeChat signs with either during a migration): PUB_KEY_ID → key, cert serial → cert. */
function platformKeyring(f: Record<string, string>, merchantSerial: string, certDownload: boolean): Keyring {
  const entries: Record<string, string> = {};
  const publicKey = f.platform_public_key?.trim();
  const cert = f.platform_cert?.trim();
  if (publicKey) {
    const serial = f.platform_serial?.trim();
    if (!serial) throw bad('platform_serial', 'is required with platform_public_key');
    entries[serial] = publicKey;
  }
  if (cert) {
    let serial = f.platform_cert_serial?.trim();
    try {
      serial ||= certificateSerial(cert);
    } catch {
      throw bad('platform_cert', 'is not a PEM certificate');
    }
    entries[serial] = cert;
  }
  if (Object.keys(entries).length === 0 && !certDownload)
    throw bad('platform_public_key', 'is required unless platform_cert or platform_cert_download is given');
  if (Object.keys(entries).some((s) => s.toUpperCase() === merchantSerial.toUpperCase()))
    throw bad('platform_serial', 'must not be the merchant certificate serial');
  try {
    return keyringFrom(entries);
  } catch {
    throw bad(publicKey ? 'platform_public_key' : 'platform_cert', 'is not a PEM public key or certificate');
  }
}
