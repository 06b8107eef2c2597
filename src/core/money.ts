/**
 * Money is an integer number of fen (1/100 CNY). Every operation is checked: a result that is not a
 * safe integer throws, so an overflow can never silently become a wrong amount.
 * Rates are integer parts per million (ppm): 0.30 % = 3000 ppm.
 */

export type Fen = number;
export type Ppm = number;

export const MAX_SAFE_FEN = Number.MAX_SAFE_INTEGER;
export const PPM_ONE = 1_000_000;

export class MoneyError extends Error {}

export function isFen(value: unknown): value is Fen {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

export function fen(value: number): Fen {
  if (!isFen(value)) throw new MoneyError(`not an integer number of fen: ${value}`);
  return value;
}

function checked(result: number, op: string): Fen {
  if (!Number.isSafeInteger(result)) throw new MoneyError(`fen arithmetic out of range in ${op}`);
  return result === 0 ? 0 : result; // no -0 (0 × -3): Object.is and 1/x would tell it apart
}

export function add(a: Fen, b: Fen): Fen {
  return checked(fen(a) + fen(b), 'add');
}

export function sub(a: Fen, b: Fen): Fen {
  return checked(fen(a) - fen(b), 'sub');
}

export function sum(values: readonly Fen[]): Fen {
  return values.reduce<Fen>((acc, v) => add(acc, v), 0);
}

export function multiply(a: Fen, factor: number): Fen {
  if (!Number.isSafeInteger(factor)) throw new MoneyError(`factor must be an integer: ${factor}`);
  return checked(fen(a) * factor, 'multiply');
}

/** Named rounding modes; every division of money says which one it uses. */
export type Rounding = 'half_up' | 'half_even' | 'down' | 'up';

/** Divides two integers exactly with the given rounding, in bigint so nothing is lost on the way. */
export function divideRounded(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator === 0n) throw new MoneyError('division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  let q = abs / denominator;
  const r = abs % denominator;
  if (r !== 0n) {
    const twice = r * 2n;
    switch (rounding) {
      case 'down': // towards zero
        break;
      case 'up': // away from zero
        q += 1n;
        break;
      case 'half_up': // half away from zero
        if (twice >= denominator) q += 1n;
        break;
      case 'half_even':
        if (twice > denominator || (twice === denominator && q % 2n === 1n)) q += 1n;
        break;
    }
  }
  return negative ? -q : q;
}

export function ppm(value: number): Ppm {
  if (!Number.isSafeInteger(value) || value < 0 || value > PPM_ONE) {
    throw new MoneyError(`rate must be an integer 0…${PPM_ONE} ppm: ${value}`);
  }
  return value;
}

/** amount × rate, rounded as named. A fee of 0.3 % on 1 fen is 0 with half_up, 1 with up. */
export function applyRate(amount: Fen, rate: Ppm, rounding: Rounding): Fen {
  const result = divideRounded(BigInt(fen(amount)) * BigInt(ppm(rate)), BigInt(PPM_ONE), rounding);
  return checked(Number(result), 'applyRate');
}

/**
 * Splits an amount into parts proportional to integer weights so the parts always sum to the
 * amount: each part is rounded down, and the leftover fen go to the largest remainders
 * (ties to the earlier part).
 */
export function allocate(amount: Fen, weights: readonly number[]): Fen[] {
  fen(amount);
  if (weights.length === 0) throw new MoneyError('allocate needs at least one weight');
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) {
    throw new MoneyError('weights must be non-negative integers');
  }
  // summed in bigint: a number sum of large weights rounds, and the parts would then miss the amount
  const total = weights.reduce((a, w) => a + BigInt(w), 0n);
  if (total === 0n) throw new MoneyError('weights must not all be zero');
  const big = BigInt(amount);
  const sign = big < 0n ? -1n : 1n;
  const abs = big * sign;
  const parts = weights.map((w) => (abs * BigInt(w)) / total);
  const remainders = weights.map((w, i) => ({ i, r: (abs * BigInt(w)) % total }));
  let leftover = abs - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (leftover === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return parts.map((p) => Number(p * sign));
}

/** "12.34" style yuan text for channels that speak yuan (Alipay). Exact, no floats. */
export function toYuanString(amount: Fen): string {
  fen(amount);
  const negative = amount < 0;
  const abs = Math.abs(amount);
  const yuan = Math.trunc(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${negative ? '-' : ''}${yuan}.${cents}`;
}

/** Parses yuan text ("12.3", "12.34", "-0.01") into fen; more than two decimals is an error. */
export function fromYuanString(text: string): Fen {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) throw new MoneyError(`not a yuan amount: ${JSON.stringify(text)}`);
  const [, minus, whole, frac = ''] = m;
  const value = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return checked(minus ? -value : value, 'fromYuanString');
}
