import { applyRate, divideRounded, PPM_ONE, type Fen, type Ppm } from '../core/money.js';

/**
 * The fee maths, pure. Per transaction and half-up: fee = amount × merchant rate, channel cost =
 * amount × cost rate, margin = fee − cost, split by the margin shares; the institution keeps the
 * rest (rounding remainders included). A margin below zero is not split: the institution absorbs
 * it and `absorbed` reports it. Refunds return the fee and every part of it proportionally and
 * cumulatively, so the refunds that add up to the whole order return each part exactly.
 */

export interface MarginShares {
  service_provider: Ppm;
  bank: Ppm;
}

/** What is fixed on an order when it succeeds. */
export interface RateSnapshot {
  rate: Ppm;
  costRate: Ppm;
  shares: MarginShares;
  /** false when the merchant has no service provider: its share stays with the institution */
  hasProvider: boolean;
}

/** An amount's fee and where it goes. fee = channelCost + provider + bank + institution. */
export interface FeeSplit {
  fee: Fen;
  channelCost: Fen;
  provider: Fen;
  bank: Fen;
  institution: Fen;
  /** the negative margin the institution absorbed (0 when the margin is ≥ 0) */
  absorbed: Fen;
}

function shareOf(margin: Fen, share: Ppm): Fen {
  return Number(divideRounded(BigInt(margin) * BigInt(share), BigInt(PPM_ONE), 'half_up'));
}

/** The fee of one paid amount and its split. */
export function splitFee(amount: Fen, snapshot: RateSnapshot): FeeSplit {
  const fee = applyRate(amount, snapshot.rate, 'half_up');
  const channelCost = applyRate(amount, snapshot.costRate, 'half_up');
  const margin = fee - channelCost;
  if (margin <= 0) return { fee, channelCost, provider: 0, bank: 0, institution: margin, absorbed: -margin };
  const provider = snapshot.hasProvider ? shareOf(margin, snapshot.shares.service_provider) : 0;
  // half-up on both shares could hand out one fen more than the margin: the bank's is capped
  const bank = Math.min(shareOf(margin, snapshot.shares.bank), margin - provider);
  return { fee, channelCost, provider, bank, institution: margin - provider - bank, absorbed: 0 };
}

const PARTS = ['fee', 'channelCost', 'provider', 'bank', 'institution'] as const;

/** `whole` scaled by refunded/amount, half-up, per part (institution takes the remainder). */
function scaled(whole: FeeSplit, refunded: Fen, amount: Fen): FeeSplit {
  const part = (v: Fen) => Number(divideRounded(BigInt(v) * BigInt(refunded), BigInt(amount), 'half_up'));
  const fee = part(whole.fee);
  const channelCost = part(whole.channelCost);
  const provider = part(whole.provider);
  const bank = part(whole.bank);
  const institution = fee - channelCost - provider - bank;
  return { fee, channelCost, provider, bank, institution, absorbed: Math.max(0, -institution) };
}

/**
 * The parts a refund returns: what the refunded total after it maps to, minus what the refunds
 * before it returned. `before` is the refunded amount before this refund.
 */
export function refundSplit(whole: FeeSplit, amount: Fen, before: Fen, refund: Fen): FeeSplit {
  if (refund <= 0 || before < 0 || before + refund > amount)
    throw new RangeError(`refund ${refund} after ${before} exceeds the order amount ${amount}`);
  const after = scaled(whole, before + refund, amount);
  const prior = scaled(whole, before, amount);
  const out = { absorbed: 0 } as FeeSplit;
  for (const key of PARTS) out[key] = after[key] - prior[key];
  out.absorbed = Math.max(0, -(after.institution - prior.institution));
  return out;
}
