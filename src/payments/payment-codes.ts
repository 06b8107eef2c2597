import type { PayWay } from '../channels/channel.js';

/**
 * Which wallet issued a customer's payment code (付款码), by prefix and length, kept as data
 * (CHANNELS §4): WeChat 10–15 + 16 digits, Alipay 25–30 with 16–24 digits, UnionPay 62 + 17.
 */
export interface CodeRule {
  payWay: PayWay;
  pattern: RegExp;
}

export const PAYMENT_CODE_RULES: readonly CodeRule[] = [
  { payWay: 'wechat_micropay', pattern: /^1[0-5]\d{16}$/ },
  { payWay: 'alipay_micropay', pattern: /^(2[5-9]|30)\d{14,22}$/ },
  { payWay: 'unionpay_micropay', pattern: /^62\d{17}$/ },
];

export function payWayOfCode(
  authCode: string,
  rules: readonly CodeRule[] = PAYMENT_CODE_RULES,
): PayWay | undefined {
  return rules.find((r) => r.pattern.test(authCode))?.payWay;
}
