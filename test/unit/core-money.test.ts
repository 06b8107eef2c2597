import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  allocate,
  applyRate,
  divideRounded,
  fen,
  fromYuanString,
  MAX_SAFE_FEN,
  MoneyError,
  multiply,
  ppm,
  PPM_ONE,
  sub,
  sum,
  toYuanString,
  type Rounding,
} from '../../src/core/money.js';

const MODES: Rounding[] = ['half_up', 'half_even', 'down', 'up'];
const anyFen = fc.maxSafeInteger();
const rate = fc.integer({ min: 0, max: PPM_ONE });
const isSafe = (v: bigint) => v >= BigInt(-MAX_SAFE_FEN) && v <= BigInt(MAX_SAFE_FEN);

/** Rounds n / d (d > 0) a second, independent way: from floor and ceiling of the magnitude. */
function referenceRound(n: bigint, d: bigint, mode: Rounding): bigint {
  const sign = n < 0n ? -1n : 1n;
  const a = n * sign;
  const floor = a / d;
  const ceil = (a + d - 1n) / d;
  const twiceRest = 2n * (a - floor * d);
  let q: bigint;
  if (mode === 'down') q = floor;
  else if (mode === 'up') q = ceil;
  else if (mode === 'half_up') q = (2n * a + d) / (2n * d);
  else q = twiceRest < d ? floor : twiceRest > d ? ceil : floor % 2n === 0n ? floor : ceil;
  return q * sign;
}

describe('money arithmetic', () => {
  it('add and sub are exact, inverse, and throw instead of overflowing', () => {
    fc.assert(
      fc.property(anyFen, anyFen, (a, b) => {
        const exact = BigInt(a) + BigInt(b);
        if (!isSafe(exact)) {
          expect(() => add(a, b)).toThrow(MoneyError);
          return;
        }
        const s = add(a, b);
        expect(BigInt(s)).toBe(exact);
        expect(sub(s, b)).toBe(a);
        expect(sub(s, a)).toBe(b);
      }),
    );
    fc.assert(
      fc.property(anyFen, anyFen, (a, b) => {
        const exact = BigInt(a) - BigInt(b);
        if (isSafe(exact)) expect(BigInt(sub(a, b))).toBe(exact);
        else expect(() => sub(a, b)).toThrow(MoneyError);
      }),
    );
    expect(() => add(MAX_SAFE_FEN, 1)).toThrow(MoneyError);
    expect(() => sub(-MAX_SAFE_FEN, 1)).toThrow(MoneyError);
    expect(() => sum([MAX_SAFE_FEN, 1, -1])).toThrow(MoneyError);
    expect(sum([])).toBe(0);
    expect(sum([1, 2, 3])).toBe(6);
  });

  it('multiply is exact or throws', () => {
    fc.assert(
      fc.property(anyFen, fc.integer({ min: -1_000_000, max: 1_000_000 }), (a, k) => {
        const exact = BigInt(a) * BigInt(k);
        if (isSafe(exact)) expect(BigInt(multiply(a, k))).toBe(exact);
        else expect(() => multiply(a, k)).toThrow(MoneyError);
      }),
    );
    expect(() => multiply(100, 1.5)).toThrow(MoneyError);
  });

  it('never yields negative zero', () => {
    for (const v of [multiply(0, -3), multiply(-3, 0), add(-0, -0), sub(-0, 0), fromYuanString('-0.00')]) {
      expect(Object.is(v, 0)).toBe(true);
    }
  });

  it('rejects values that are not integer fen or valid rates', () => {
    for (const bad of [1.5, NaN, Infinity, -Infinity, MAX_SAFE_FEN + 1, '1' as unknown as number]) {
      expect(() => fen(bad)).toThrow(MoneyError);
      expect(() => add(bad, 1)).toThrow(MoneyError);
    }
    for (const bad of [-1, PPM_ONE + 1, 0.5, NaN]) expect(() => ppm(bad)).toThrow(MoneyError);
    expect(() => applyRate(100, -1, 'up')).toThrow(MoneyError);
    expect(() => applyRate(1.5, 3000, 'up')).toThrow(MoneyError);
    expect(() => divideRounded(1n, 0n, 'down')).toThrow(MoneyError);
  });
});

describe('rounding', () => {
  it('applyRate matches a bigint reference in every mode', () => {
    fc.assert(
      fc.property(anyFen, rate, fc.constantFrom(...MODES), (amount, r, mode) => {
        const expected = referenceRound(BigInt(amount) * BigInt(r), BigInt(PPM_ONE), mode);
        expect(BigInt(applyRate(amount, r, mode))).toBe(expected);
      }),
    );
  });

  it('divideRounded matches the reference for any signs', () => {
    const big = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });
    fc.assert(
      fc.property(
        big,
        big.filter((d) => d !== 0n),
        fc.constantFrom(...MODES),
        (n, d, mode) => {
          const [nn, dd] = d < 0n ? [-n, -d] : [n, d];
          expect(divideRounded(n, d, mode)).toBe(referenceRound(nn, dd, mode));
        },
      ),
    );
  });

  it('rounds the documented examples', () => {
    // 0.3 % of 1 fen, 1.5 fen (500 × 0.3 %), 4.5 fen (1500 × 0.3 %), and their negatives
    const table: [number, Record<Rounding, number>][] = [
      [1, { half_up: 0, half_even: 0, down: 0, up: 1 }],
      [500, { half_up: 2, half_even: 2, down: 1, up: 2 }],
      [1500, { half_up: 5, half_even: 4, down: 4, up: 5 }],
      [-500, { half_up: -2, half_even: -2, down: -1, up: -2 }],
      [-1500, { half_up: -5, half_even: -4, down: -4, up: -5 }],
    ];
    for (const [amount, byMode] of table) {
      for (const mode of MODES)
        expect([amount, mode, applyRate(amount, 3000, mode)]).toEqual([amount, mode, byMode[mode]]);
    }
    expect(applyRate(MAX_SAFE_FEN, PPM_ONE, 'down')).toBe(MAX_SAFE_FEN);
  });
});

describe('allocate', () => {
  // weights near MAX_SAFE make a number sum of the weights round: the parts must still add up
  const nearMax = fc.integer({ min: MAX_SAFE_FEN - 1_000, max: MAX_SAFE_FEN });
  const weights = fc.array(fc.oneof(fc.nat(1_000), fc.maxSafeNat(), nearMax), {
    minLength: 1,
    maxLength: 12,
  });

  it('always sums to the amount, each part within 1 fen of its exact share', () => {
    fc.assert(
      fc.property(
        anyFen,
        weights.filter((ws) => ws.some((w) => w > 0)),
        (amount, ws) => {
          const parts = allocate(amount, ws);
          expect(parts).toHaveLength(ws.length);
          expect(parts.reduce((a, b) => a + BigInt(b), 0n)).toBe(BigInt(amount));
          const total = ws.reduce((a, w) => a + BigInt(w), 0n);
          parts.forEach((part, i) => {
            const exactTimesTotal = BigInt(amount) * BigInt(ws[i]!);
            const diff = BigInt(part) * total - exactTimesTotal;
            expect((diff < 0n ? -diff : diff) < total).toBe(true);
            if (ws[i] === 0) expect(Object.is(part, 0)).toBe(true);
          });
        },
      ),
      { numRuns: 2_000 },
    );
    // found by the property: the weights' number sum rounded and the parts missed the amount
    const ws = [MAX_SAFE_FEN, 242440990260552, MAX_SAFE_FEN, 9007199254740606];
    expect(sum(allocate(-7867190831916931, ws))).toBe(-7867190831916931);
  });

  it('gives leftover fen to the largest remainders, ties to the earlier part', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(allocate(10, [3, 7])).toEqual([3, 7]);
    expect(allocate(1, [1, 2])).toEqual([0, 1]);
    expect(allocate(12_345, [0, 5])).toEqual([0, 12_345]);
  });

  it('rejects bad weights', () => {
    for (const ws of [[], [0, 0], [-1, 2], [1.5], [NaN]]) expect(() => allocate(100, ws)).toThrow(MoneyError);
    expect(() => allocate(1.5, [1])).toThrow(MoneyError);
  });
});

describe('yuan strings', () => {
  it('round-trip every amount, formatted like a bigint reference', () => {
    fc.assert(
      fc.property(anyFen, (amount) => {
        const text = toYuanString(amount);
        const abs = BigInt(amount < 0 ? -amount : amount);
        const cents = String(abs % 100n).padStart(2, '0');
        expect(text).toBe(`${amount < 0 ? '-' : ''}${abs / 100n}.${cents}`);
        expect(fromYuanString(text)).toBe(amount);
      }),
    );
  });

  it('parses short forms and refuses anything else', () => {
    expect(fromYuanString('12.3')).toBe(1230);
    expect(fromYuanString('12')).toBe(1200);
    expect(fromYuanString('0.01')).toBe(1);
    expect(fromYuanString('-0.01')).toBe(-1);
    expect(fromYuanString(' 7.05 ')).toBe(705);
    expect(toYuanString(-5)).toBe('-0.05');
    for (const bad of [
      '',
      '1.234',
      'abc',
      '1e3',
      '+1',
      '.5',
      '1.',
      '--1',
      '1,000',
      '0x10',
      'Infinity',
      '90071992547409.92',
    ]) {
      expect(() => fromYuanString(bad)).toThrow(MoneyError);
    }
    expect(() => toYuanString(0.5)).toThrow(MoneyError);
  });
});
