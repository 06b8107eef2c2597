import { ChannelError, type ChannelConfig } from '../channel.js';
import {
  digits,
  field,
  FLAG_FORMAT,
  PEM_OR_BASE64_FORMAT,
  token,
  URL_FORMAT,
  type ConfigFields,
} from '../config-fields.js';
import { alipayPrivateKey, alipayPublicKey } from './protocol/keys.js';

/**
 * A merchant's Alipay configuration: which fields exist, which are secret, and the checked form
 * the adapter works with. Pointing a merchant at the real Alipay or at the sandbox differs only
 * in these values (gateway, oauth_base, sandbox).
 */

const PID = { pattern: /^2088[0-9]{12}$/, hint: '2088 + 12 digits' };

export const ALIPAY_CONFIG_FIELDS = {
  gateway: field(URL_FORMAT, 'v2 gateway URL (https://openapi.alipay.com/gateway.do, or the sandbox)', {
    required: true,
  }),
  app_id: field(digits(16, 16), 'the app (ISV or merchant) that signs requests', { required: true }),
  app_private_key: field(PEM_OR_BASE64_FORMAT, "the app's RSA2 private key (PEM or base64)", {
    required: true,
    secret: true,
  }),
  alipay_public_key: field(PEM_OR_BASE64_FORMAT, "Alipay's public key for that app (PEM or base64)", {
    required: true,
  }),
  app_auth_token: field(token(8, 128), 'ISV mode: the token the merchant granted the ISV app', {
    secret: true,
  }),
  auth_app_id: field(
    digits(16, 16),
    "ISV mode: the merchant's app that granted app_auth_token (alipay.open.auth.token.app answers it); notifications whose auth_app_id differs are refused",
  ),
  seller_id: field(PID, "the merchant's PID (2088…); notifications for another seller are refused"),
  isv_pid: field(PID, "the service provider's PID, sent as extend_params.sys_service_provider_id"),
  smid: field(PID, 'indirect merchants: the sub-merchant id (sub_merchant.merchant_id)'),
  oauth_base: field(URL_FORMAT, 'user OAuth host, default https://openauth.alipay.com'),
  sandbox: field(FLAG_FORMAT, '"1" for the JuhePay sandbox: wallet actions carry its confirm page'),
} as const satisfies ConfigFields;

export type AlipayConfigFieldName = keyof typeof ALIPAY_CONFIG_FIELDS;

export const DEFAULT_OAUTH_BASE = 'https://openauth.alipay.com';

/** The checked configuration. Keys are normalised to PEM (PKCS#8 / SPKI) whatever form was stored. */
export interface AlipaySettings {
  gateway: string;
  appId: string;
  privateKeyPem: string;
  alipayPublicKeyPem: string;
  appAuthToken?: string | undefined;
  authAppId?: string | undefined;
  sellerId?: string | undefined;
  isvPid?: string | undefined;
  smid?: string | undefined;
  oauthBase: string;
  /** the sandbox's base URL when `sandbox` is "1" (derived from the gateway) */
  sandboxBase?: string | undefined;
}

const bad = (field: string, why: string) =>
  new ChannelError('config', `alipay configuration: ${field} ${why}`, field);

function httpUrl(field: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad(field, 'is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(field, 'must be an http(s) URL');
  return url;
}

/** the sandbox serves the gateway at `<base>/alipay/gateway.do` */
function sandboxBaseOf(gateway: URL): string {
  return `${gateway.origin}${gateway.pathname.replace(/\/alipay\/gateway\.do$/, '')}`.replace(/\/$/, '');
}

/** Validates a ChannelConfig for Alipay; throws ChannelError('config') naming the field at fault. */
export function alipaySettings(config: ChannelConfig): AlipaySettings {
  if (config.channel !== 'alipay') throw bad('channel', `is ${config.channel}, not alipay`);
  const f = config.fields;
  const value = (name: AlipayConfigFieldName): string | undefined => {
    const v = f[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  for (const [name, spec] of Object.entries(ALIPAY_CONFIG_FIELDS)) {
    if (spec.required && value(name as AlipayConfigFieldName) === undefined) throw bad(name, 'is required');
  }
  const gateway = httpUrl('gateway', value('gateway')!);
  let privateKeyPem: string;
  let alipayPublicKeyPem: string;
  try {
    privateKeyPem = alipayPrivateKey(value('app_private_key')!)
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
  } catch {
    throw bad('app_private_key', 'is not an RSA private key (PEM or base64 PKCS#8/PKCS#1)');
  }
  try {
    alipayPublicKeyPem = alipayPublicKey(value('alipay_public_key')!)
      .export({ type: 'spki', format: 'pem' })
      .toString();
  } catch {
    throw bad('alipay_public_key', 'is not an RSA public key (PEM or base64)');
  }
  const sandbox = value('sandbox') === '1';
  const sandboxBase = sandbox ? sandboxBaseOf(gateway) : undefined;
  const oauthBase = value('oauth_base') ?? (sandboxBase ? `${sandboxBase}/alipay` : DEFAULT_OAUTH_BASE);
  httpUrl('oauth_base', oauthBase);
  return {
    gateway: gateway.toString(),
    appId: value('app_id')!,
    privateKeyPem,
    alipayPublicKeyPem,
    appAuthToken: value('app_auth_token'),
    authAppId: value('auth_app_id'),
    sellerId: value('seller_id'),
    isvPid: value('isv_pid'),
    smid: value('smid'),
    oauthBase: oauthBase.replace(/\/$/, ''),
    sandboxBase,
  };
}
