import type { ChannelName } from '../tables.js';

/**
 * Per-channel configuration fields, as pure data and checks. A service provider holds the
 * credentials it integrates with (e.g. WeChat sp_mchid + keys); each of its merchants inherits
 * them and adds its own sub-merchant ids. Secret fields are sealed at rest and never returned.
 */

export const CHANNELS = ['wechatpay', 'alipay', 'unionpay', 'qqwallet', 'jdpay', 'baiduwallet'] as const;

export interface FieldSpec {
  secret: boolean;
  pattern: RegExp;
  /** what a valid value looks like, for the error message */
  hint: string;
}

const URL_FIELD: FieldSpec = { secret: false, pattern: /^https?:\/\/[^\s]{1,1000}$/, hint: 'an http(s) URL' };
const PEM = /^-----BEGIN [A-Z0-9 ]+-----\r?\n[A-Za-z0-9+/=\r\n]+\r?\n?-----END [A-Z0-9 ]+-----\s*$/;
const pem = (secret: boolean): FieldSpec => ({ secret, pattern: PEM, hint: 'a PEM block' });
// Alipay hands keys out as bare base64 as often as PEM
const pemOrBase64 = (secret: boolean): FieldSpec => ({
  secret,
  pattern: new RegExp(`${PEM.source}|^[A-Za-z0-9+/]{64,8000}={0,2}$`),
  hint: 'a PEM block or bare base64 key',
});
const digits = (min: number, max: number, secret = false): FieldSpec => ({
  secret,
  pattern: new RegExp(`^[0-9]{${min},${max}}$`),
  hint: `${min}–${max} digits`,
});
const token = (min: number, max: number, secret: boolean): FieldSpec => ({
  secret,
  pattern: new RegExp(`^[\\x21-\\x7e]{${min},${max}}$`),
  hint: `${min}–${max} printable ASCII characters`,
});
const hex = (min: number, max: number): FieldSpec => ({
  secret: false,
  pattern: new RegExp(`^[0-9A-Fa-f]{${min},${max}}$`),
  hint: `${min}–${max} hex digits`,
});

const FLAG: FieldSpec = {
  secret: false,
  pattern: /^(1|0|true|false)$/,
  hint: '1 or 0 (1: the endpoint is the JuhePay sandbox)',
};

/** One H5 wallet protocol serves QQ Wallet, JD Pay and Baidu Wallet (src/channels/h5wallet). */
const H5_WALLET: Readonly<Record<string, FieldSpec>> = {
  base_url: URL_FIELD,
  merchant_id: token(1, 64, false),
  key: token(8, 128, true),
  sandbox: FLAG,
};

/**
 * The fields each channel adapter reads (src/channels/<channel>/config.ts), with their formats;
 * secrets are sealed at rest and never returned.
 */
export const CHANNEL_FIELDS: Readonly<Record<ChannelName, Readonly<Record<string, FieldSpec>>>> = {
  wechatpay: {
    base_url: URL_FIELD,
    sp_mchid: digits(6, 16),
    sp_appid: { secret: false, pattern: /^wx[0-9a-f]{16}$/, hint: 'wx + 16 hex digits' },
    sub_mchid: digits(6, 16),
    sub_appid: { secret: false, pattern: /^wx[0-9a-f]{16}$/, hint: 'wx + 16 hex digits' },
    merchant_serial: hex(8, 64),
    merchant_private_key: pem(true),
    merchant_cert: pem(false),
    platform_serial: {
      secret: false,
      pattern: /^(PUB_KEY_ID_[0-9A-Za-z_]{1,64}|[0-9A-Fa-f]{8,64})$/,
      hint: 'PUB_KEY_ID_… or a certificate serial in hex',
    },
    platform_public_key: pem(false),
    platform_cert_serial: hex(8, 64),
    platform_cert: pem(false),
    platform_cert_download: FLAG,
    apiv3_key: token(32, 32, true),
    apiv2_key: token(32, 32, true),
    app_secret: token(8, 128, true),
    oauth_base: URL_FIELD,
    oauth_api_base: URL_FIELD,
    sandbox: FLAG,
  },
  alipay: {
    gateway: URL_FIELD,
    app_id: digits(16, 16),
    seller_id: { secret: false, pattern: /^2088[0-9]{12}$/, hint: '2088 + 12 digits' },
    isv_pid: { secret: false, pattern: /^2088[0-9]{12}$/, hint: '2088 + 12 digits' },
    smid: { secret: false, pattern: /^2088[0-9]{12}$/, hint: '2088 + 12 digits' },
    alipay_public_key: pemOrBase64(false),
    app_private_key: pemOrBase64(true),
    app_auth_token: token(8, 128, true),
    auth_app_id: digits(16, 16),
    oauth_base: URL_FIELD,
    sandbox: FLAG,
  },
  unionpay: {
    base_url: URL_FIELD,
    mer_id: { secret: false, pattern: /^[0-9A-Z]{15}$/, hint: '15 digits or capitals' },
    cert_id: digits(1, 64),
    sign_private_key: pem(true),
    root_cert: pem(false),
    middle_cert: pem(false),
    back_url: URL_FIELD,
    sandbox: FLAG,
  },
  qqwallet: H5_WALLET,
  jdpay: H5_WALLET,
  baiduwallet: H5_WALLET,
};

/** Where an approved onboarding's sub-merchant id goes in the merchant's configuration. */
export const SUB_MERCHANT_FIELD: Readonly<Partial<Record<ChannelName, string>>> = {
  wechatpay: 'sub_mchid',
  alipay: 'smid',
  unionpay: 'mer_id',
};

export function isChannel(value: unknown): value is ChannelName {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/** A change to a configuration: a string sets a field, null removes it. */
export type FieldPatch = Record<string, string | null>;

export interface SplitPatch {
  fields: FieldPatch;
  secrets: FieldPatch;
}

export type PatchProblem = {
  code: 'parameter_unknown' | 'validation_failed';
  param: string;
  message: string;
};

/** Checks every field of a patch against the channel's schema and splits public from secret. */
export function checkPatch(channel: ChannelName, patch: FieldPatch): SplitPatch | PatchProblem {
  const specs = CHANNEL_FIELDS[channel];
  const out: SplitPatch = { fields: {}, secrets: {} };
  for (const [name, value] of Object.entries(patch)) {
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) {
      return {
        code: 'parameter_unknown',
        param: name,
        message: `${channel} has no field ${name}; known: ${Object.keys(specs).join(', ')}`,
      };
    }
    if (value !== null && !spec.pattern.test(value))
      return { code: 'validation_failed', param: name, message: `${name} must be ${spec.hint}` };
    (spec.secret ? out.secrets : out.fields)[name] = value;
  }
  return out;
}

/** Applies a patch: null deletes, a string sets; fields not named are kept. */
export function applyPatch(current: Record<string, string>, patch: FieldPatch): Record<string, string> {
  const next = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  return next;
}

/** What a configuration level needs to take part in a merchant's effective configuration. */
export interface ConfigLevel {
  enabled: boolean;
}

/**
 * The levels a merchant's configuration is made of, most general first: the holder of its
 * credentials, then its own. The holder is its service provider when that configured the channel,
 * else its institution (a bank that is itself the channels' service provider); never both, so
 * two parties' credentials are never mixed. In force only when some level exists and none is
 * disabled.
 */
export function configLevels<L extends ConfigLevel>(found: {
  provider?: L | undefined;
  institution?: L | undefined;
  own?: L | undefined;
}): { holder: L | undefined; levels: L[]; enabled: boolean } {
  const holder = found.provider ?? found.institution;
  const levels = [holder, found.own].filter((l): l is L => l !== undefined);
  return { holder, levels, enabled: levels.length > 0 && levels.every((l) => l.enabled) };
}

/** The merchant's effective fields from its levels, most general first: a nearer level wins. */
export function effectiveFields(levels: ReadonlyArray<Record<string, string>>): Record<string, string> {
  return Object.assign({}, ...levels) as Record<string, string>;
}
