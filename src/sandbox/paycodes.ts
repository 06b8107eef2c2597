import { randomInt } from 'node:crypto';
import type { PayCodeScenario, PayCodes, Wallet } from './context.js';

/**
 * Customer payment codes (付款码) with each wallet's real shape, so routing by prefix is exercised:
 * WeChat 18 digits starting 10–15, Alipay 18 digits starting 25–30 (16–24 allowed), UnionPay 19
 * digits starting 62.
 */

const SHAPES: Record<Wallet, { prefixes: string[]; length: number }> = {
  wechat: { prefixes: ['10', '11', '12', '13', '14', '15'], length: 18 },
  alipay: { prefixes: ['25', '26', '27', '28', '29', '30'], length: 18 },
  unionpay: { prefixes: ['62'], length: 19 },
};

function digits(n: number): string {
  return Array.from({ length: n }, () => String(randomInt(10))).join('');
}

export class PayCodeBook implements PayCodes {
  private readonly codes = new Map<string, { wallet: Wallet; scenario: PayCodeScenario; used: boolean }>();

  issue(wallet: Wallet, scenario: PayCodeScenario): string {
    const shape = SHAPES[wallet];
    for (;;) {
      const prefix = shape.prefixes[randomInt(shape.prefixes.length)]!;
      const code = prefix + digits(shape.length - prefix.length);
      if (!this.codes.has(code)) {
        this.codes.set(code, { wallet, scenario, used: false });
        return code;
      }
    }
  }

  lookup(code: string) {
    const entry = this.codes.get(code);
    return entry ? { ...entry } : undefined;
  }

  markUsed(code: string): void {
    const entry = this.codes.get(code);
    if (entry) entry.used = true;
  }
}
