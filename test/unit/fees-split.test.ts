import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refundSplit, splitFee, type RateSnapshot } from '../../src/fees/index.js';
import { resolveRates, DEMO_PLAN, DEMO_PRICING } from '../../src/fees/index.js';

const SEED = 20261204;
/** half-up a × r / 10^6 a second way, with plain numbers (a × r < 2^53 here). */
const halfUp = (a: number, r: number) => Math.floor((a * r + 500_000) / 1_000_000);

const snapshotArb = fc.record({
  rate: fc.integer({ min: 0, max: 60_000 }),
  costRate: fc.integer({ min: 0, max: 60_000 }),
  shares: fc
    .tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }))
    .map(([a, b]) =>
      a + b > 1_000_000 ? { service_provider: a, bank: 1_000_000 - a } : { service_provider: a, bank: b },
    ),
  hasProvider: fc.boolean(),
}) as fc.Arbitrary<RateSnapshot>;

describe('fees: the split of one payment', () => {
  it('works the issue example: 100.00 yuan at 0.30 % with a 0.20 % cost, shares 50 % / 30 %', () => {
    const s = resolveRates('wechatpay', {
      merchantPlan: null,
      institutionPlan: DEMO_PLAN,
      providerPricing: null,
      defaultPricing: DEMO_PRICING,
      hasProvider: true,
    });
    expect(splitFee(10_000, s)).toEqual({
      fee: 30,
      channelCost: 20,
      provider: 5,
      bank: 3,
      institution: 2,
      absorbed: 0,
    });
  });

  it('rounds half-up per transaction and gives the remainder to the institution', () => {
    const s: RateSnapshot = {
      rate: 3000,
      costRate: 2000,
      shares: { service_provider: 500_000, bank: 300_000 },
      hasProvider: true,
    };
    // 0.30 % of 150 fen = 0.45 → 0; of 167 = 0.501 → 1; margin 1 − 0: provider 0.5 → 1, bank 0.3 → 0
    expect(splitFee(150, s).fee).toBe(0);
    expect(splitFee(167, s)).toMatchObject({ fee: 1, channelCost: 0, provider: 1, bank: 0, institution: 0 });
  });

  it('lets the institution absorb a negative margin and reports it', () => {
    const s: RateSnapshot = {
      rate: 2000,
      costRate: 2300,
      shares: { service_provider: 500_000, bank: 300_000 },
      hasProvider: true,
    };
    expect(splitFee(10_000, s)).toEqual({
      fee: 20,
      channelCost: 23,
      provider: 0,
      bank: 0,
      institution: -3,
      absorbed: 3,
    });
  });

  it('keeps the provider share with the institution when the merchant has none', () => {
    const s: RateSnapshot = {
      rate: 3000,
      costRate: 2000,
      shares: { service_provider: 500_000, bank: 300_000 },
      hasProvider: false,
    };
    expect(splitFee(10_000, s)).toMatchObject({ provider: 0, bank: 3, institution: 7 });
  });

  it('property: fee and cost are half-up, the parts add up to the fee, no share is negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000 }), snapshotArb, (amount, s) => {
        const x = splitFee(amount, s);
        expect(x.fee).toBe(halfUp(amount, s.rate));
        expect(x.channelCost).toBe(halfUp(amount, s.costRate));
        expect(x.channelCost + x.provider + x.bank + x.institution).toBe(x.fee);
        expect(x.provider).toBeGreaterThanOrEqual(0);
        expect(x.bank).toBeGreaterThanOrEqual(0);
        if (x.fee >= x.channelCost) expect(x.institution).toBeGreaterThanOrEqual(0);
        else expect(x.absorbed).toBe(x.channelCost - x.fee);
        if (!s.hasProvider) expect(x.provider).toBe(0);
      }),
      { seed: SEED, numRuns: 20_000 },
    );
  });

  it('property: refunds return each part proportionally, and all refunds return it exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        snapshotArb,
        fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 12 }),
        (amount, s, weights) => {
          const whole = splitFee(amount, s);
          // cut the amount into refunds proportional to the weights (each ≥ 1 fen)
          const total = weights.reduce((a, w) => a + w, 0);
          const cuts = weights.map((w) => Math.floor((amount * w) / total)).filter((c) => c > 0);
          const rest = amount - cuts.reduce((a, c) => a + c, 0);
          if (rest > 0) cuts.push(rest);
          let before = 0;
          const sums = { fee: 0, channelCost: 0, provider: 0, bank: 0, institution: 0 };
          for (const r of cuts) {
            const part = refundSplit(whole, amount, before, r);
            // within one fen of the exact proportion
            expect(Math.abs(part.fee - (whole.fee * r) / amount)).toBeLessThanOrEqual(1);
            for (const k of Object.keys(sums) as Array<keyof typeof sums>) sums[k] += part[k];
            before += r;
          }
          expect(sums).toEqual({
            fee: whole.fee,
            channelCost: whole.channelCost,
            provider: whole.provider,
            bank: whole.bank,
            institution: whole.institution,
          });
        },
      ),
      { seed: SEED, numRuns: 10_000 },
    );
  });

  it('refuses a refund beyond the order amount', () => {
    const whole = splitFee(1000, {
      rate: 3000,
      costRate: 2000,
      shares: { service_provider: 0, bank: 0 },
      hasProvider: false,
    });
    expect(() => refundSplit(whole, 1000, 600, 401)).toThrow(RangeError);
  });
});
