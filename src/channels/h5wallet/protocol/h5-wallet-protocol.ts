import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A deliberately small protocol for the H5 wallets the sandbox plays (QQ Wallet, JD Pay, Baidu
 * Wallet). Their real merchant APIs are not in our references, so this is OUR format, shared by
 * the simulator and any adapter: flat JSON objects, signed with
 *   sign = upper-case hex HMAC-SHA256(key, sorted non-empty `k=v` joined with `&`, `sign` left out)
 * The keys are published sandbox test keys, `juhepay-sandbox-<wallet>-key`; never use them for money.
 */

export const H5_WALLETS = ['qqwallet', 'jdpay', 'baiduwallet'] as const;
export type H5Wallet = (typeof H5_WALLETS)[number];

export interface H5WalletConfig {
  wallet: H5Wallet;
  name: string;
  /** the sandbox test merchant of this wallet */
  mchId: string;
  /** deterministic, published: a test key, not a secret */
  key: string;
}

export const H5_WALLET_CONFIGS: Record<H5Wallet, H5WalletConfig> = {
  qqwallet: { wallet: 'qqwallet', name: 'QQ钱包', mchId: '1900000109', key: 'juhepay-sandbox-qqwallet-key' },
  jdpay: { wallet: 'jdpay', name: '京东支付', mchId: '110000000001', key: 'juhepay-sandbox-jdpay-key' },
  baiduwallet: {
    wallet: 'baiduwallet',
    name: '百度钱包',
    mchId: '9000000001',
    key: 'juhepay-sandbox-baiduwallet-key',
  },
};

/** ours, documented: immediately, then 15 s, 30 s, 3 min, 10 min, 30 min, 1 h. Ack = HTTP 200. */
export const H5_WALLET_NOTIFY_RETRY_MS: readonly number[] = [
  15_000, 30_000, 180_000, 600_000, 1_800_000, 3_600_000,
];

export type WalletValue = string | number;
export type WalletMessage = Record<string, WalletValue>;

export function walletSignContent(fields: Record<string, unknown>): string {
  return Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '' && fields[k] !== undefined && fields[k] !== null)
    .sort()
    .map((k) => `${k}=${String(fields[k])}`)
    .join('&');
}

export function walletSign(fields: Record<string, unknown>, key: string): string {
  return createHmac('sha256', key).update(walletSignContent(fields), 'utf8').digest('hex').toUpperCase();
}

export function signWalletMessage<T extends WalletMessage>(fields: T, key: string): T & { sign: string } {
  return { ...fields, sign: walletSign(fields, key) };
}

export function verifyWalletMessage(fields: Record<string, unknown>, key: string): boolean {
  if (typeof fields.sign !== 'string' || !/^[0-9A-F]{64}$/.test(fields.sign)) return false;
  return timingSafeEqual(Buffer.from(fields.sign), Buffer.from(walletSign(fields, key)));
}

/** Only flat string/integer values: anything else cannot be signed unambiguously. */
export function asWalletMessage(body: Record<string, unknown> | undefined): WalletMessage | undefined {
  if (!body) return undefined;
  const out: WalletMessage = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v))) out[k] = v;
    else return undefined;
  }
  return out;
}

export interface CreatePayment {
  mch_id: string;
  out_trade_no: string;
  amount: number;
  description: string;
  notify_url: string;
  return_url: string;
}

const URL_RE = /^https?:\/\/\S+$/;

/** The first problem with a create-payment request, or the request. */
export function parseCreatePayment(
  m: WalletMessage,
): { ok: true; value: CreatePayment } | { ok: false; param: string; message: string } {
  const s = (k: string) => (typeof m[k] === 'string' ? (m[k] as string) : undefined);
  if (!s('out_trade_no') || !/^[0-9A-Za-z_-]{1,64}$/.test(s('out_trade_no')!))
    return { ok: false, param: 'out_trade_no', message: 'out_trade_no: 1–64 letters, digits, _ or -' };
  if (typeof m.amount !== 'number' || m.amount <= 0 || m.amount > 10_000_000_000)
    return { ok: false, param: 'amount', message: 'amount: a positive integer of fen' };
  if (!s('notify_url') || !URL_RE.test(s('notify_url')!))
    return { ok: false, param: 'notify_url', message: 'notify_url: an http(s) URL' };
  if (!s('return_url') || !URL_RE.test(s('return_url')!))
    return { ok: false, param: 'return_url', message: 'return_url: an http(s) URL' };
  return {
    ok: true,
    value: {
      mch_id: s('mch_id') ?? '',
      out_trade_no: s('out_trade_no')!,
      amount: m.amount,
      description: s('description') ?? '',
      notify_url: s('notify_url')!,
      return_url: s('return_url')!,
    },
  };
}
