import { divideRounded, type Fen } from '../../core/money.js';
import { BillParseError } from './types.js';

/**
 * Reads a yuan amount with up to `decimals` digits (WeChat writes fees with 5) as fen, rounding
 * the sub-fen digits half up (away from zero), the rule the channels state for their fees.
 */
export function yuanToFen(text: string, column: string, line: number, decimals = 2): Fen {
  const m = /^(-)?(\d{1,13})(?:\.(\d+))?$/.exec(text);
  if (!m || (m[3]?.length ?? 0) > decimals) {
    throw new BillParseError(`${column}: not an amount: ${JSON.stringify(text)}`, line);
  }
  const units = yuanToUnits(text, 5);
  return Number(divideRounded(units, 1000n, 'half_up'));
}

/** The amount as an exact bigint in 10^-scale yuan, for totals written with more digits than fen. */
export function yuanToUnits(text: string, scale: number): bigint {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m || (m[3]?.length ?? 0) > scale) throw new BillParseError(`not an amount: ${JSON.stringify(text)}`);
  const value = BigInt(m[2]!) * 10n ** BigInt(scale) + BigInt((m[3] ?? '').padEnd(scale, '0') || '0');
  return m[1] ? -value : value;
}

/** Fixed-width unsigned fen such as UnionPay's `000000000100`. */
export function digitsToFen(text: string, column: string, line: number): Fen {
  if (!/^\d+$/.test(text)) throw new BillParseError(`${column}: not a number: ${JSON.stringify(text)}`, line);
  return Number(text);
}
