import type { Fen } from '../../core/money.js';
import { BillParseError } from './types.js';

/** the most digits after the point any bill writes (WeChat's fees: 0.01000) */
export const UNIT_SCALE = 5;
const UNITS_PER_FEN = 1000;
/** 10^13 yuan in 10^-5 units stays below 2^53 */
const MAX_WHOLE_DIGITS = 13;

/**
 * Reads yuan text as an exact integer of 10^-5 yuan, or undefined when it is not `-?d+(.d{1,5})?`.
 * A hand-written scan, not a regex and bigint: it runs several times on each of a million rows.
 */
export function parseUnits(text: string): number | undefined {
  const negative = text.charCodeAt(0) === 45; // '-'
  let i = negative ? 1 : 0;
  let whole = 0;
  let wholeDigits = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
    wholeDigits++;
  }
  if (wholeDigits === 0 || wholeDigits > MAX_WHOLE_DIGITS) return undefined;
  let frac = 0;
  let fracDigits = 0;
  if (i < text.length) {
    if (text.charCodeAt(i) !== 46) return undefined; // '.'
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9 || ++fracDigits > UNIT_SCALE) return undefined;
      frac = frac * 10 + c;
    }
    if (fracDigits === 0) return undefined;
  }
  const units = whole * 10 ** UNIT_SCALE + frac * 10 ** (UNIT_SCALE - fracDigits);
  return negative ? -units : units;
}

/** 10^-5 yuan to fen, rounding half up (away from zero), the rule the channels state for fees */
export function unitsToFen(units: number): Fen {
  const abs = Math.abs(units);
  const fen = Math.floor(abs / UNITS_PER_FEN) + (abs % UNITS_PER_FEN >= UNITS_PER_FEN / 2 ? 1 : 0);
  return units < 0 && fen !== 0 ? -fen : fen;
}

/** Reads a yuan amount with up to `decimals` digits (WeChat writes fees with 5) as fen. */
export function yuanToFen(text: string, column: string, line: number, decimals = 2): Fen {
  const units = parseUnits(text);
  const point = text.indexOf('.');
  if (units === undefined || (point >= 0 && text.length - point - 1 > decimals)) {
    throw new BillParseError(`${column}: not an amount: ${JSON.stringify(text)}`, line);
  }
  return unitsToFen(units);
}

/** Fixed-width unsigned fen such as UnionPay's `000000000100`. */
export function digitsToFen(text: string, column: string, line: number): Fen {
  if (!/^\d{1,15}$/.test(text))
    throw new BillParseError(`${column}: not a number: ${JSON.stringify(text)}`, line);
  return Number(text);
}
