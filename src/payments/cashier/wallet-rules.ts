import type { PayWay } from '../../channels/channel.js';

/**
 * Which wallet a browser is, from its User-Agent: an ordered list of rules, first match wins
 * (CONTRACT §4 defaults; operators edit them through the admin API). Pure.
 */

export type CashierWallet = 'wechat' | 'alipay' | 'unionpay' | 'qqwallet' | 'jdpay' | 'baiduwallet';

export interface WalletRule {
  wallet: CashierWallet;
  /** a regular expression source tested against the User-Agent, case-insensitive */
  pattern: string;
  /** a pattern that vetoes the match (e.g. QQ's browser is not the QQ app) */
  unless?: string;
}

export const DEFAULT_WALLET_RULES: readonly WalletRule[] = [
  { wallet: 'wechat', pattern: 'MicroMessenger/' },
  { wallet: 'alipay', pattern: 'AlipayClient' },
  { wallet: 'unionpay', pattern: 'UnionPay/[\\d.]+\\s+\\S+' },
  { wallet: 'qqwallet', pattern: '\\bQQ/', unless: 'MQQBrowser' },
  { wallet: 'jdpay', pattern: 'jdapp' },
  { wallet: 'baiduwallet', pattern: 'baiduboxapp' },
];

/** The pay way a wallet uses from the aggregated cashier. */
export const WALLET_PAY_WAY: Record<CashierWallet, PayWay> = {
  wechat: 'wechat_jsapi',
  alipay: 'alipay_jsapi',
  unionpay: 'unionpay_qr',
  qqwallet: 'qqwallet_jsapi',
  jdpay: 'jdpay_h5',
  baiduwallet: 'baiduwallet_h5',
};

export const WALLET_NAMES: Record<CashierWallet, { zh: string; en: string }> = {
  wechat: { zh: '微信支付', en: 'WeChat Pay' },
  alipay: { zh: '支付宝', en: 'Alipay' },
  unionpay: { zh: '云闪付', en: 'UnionPay QuickPass' },
  qqwallet: { zh: 'QQ钱包', en: 'QQ Wallet' },
  jdpay: { zh: '京东支付', en: 'JD Pay' },
  baiduwallet: { zh: '百度钱包', en: 'Baidu Wallet' },
};

export function detectWallet(
  userAgent: string | undefined,
  rules: readonly WalletRule[] = DEFAULT_WALLET_RULES,
): CashierWallet | undefined {
  if (!userAgent) return undefined;
  for (const rule of rules) {
    if (
      new RegExp(rule.pattern, 'i').test(userAgent) &&
      !(rule.unless && new RegExp(rule.unless, 'i').test(userAgent))
    ) {
      return rule.wallet;
    }
  }
  return undefined;
}

/** The UnionPay app identifier in `UnionPay/<ver> <app>`, which its JS API needs. */
export function unionPayAppId(userAgent: string): string | undefined {
  return /UnionPay\/[\d.]+\s+([\w.-]+)/.exec(userAgent)?.[1];
}

/** Checks operator-supplied rules; returns the first problem or undefined. */
export function validateWalletRules(rules: readonly WalletRule[]): string | undefined {
  for (const [index, rule] of rules.entries()) {
    for (const source of [rule.pattern, rule.unless]) {
      if (source === undefined) continue;
      try {
        new RegExp(source, 'i');
      } catch {
        return `rules.${index}: not a valid regular expression`;
      }
    }
  }
  return undefined;
}
