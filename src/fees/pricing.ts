import { ppm, type Ppm } from '../core/money.js';
import type { MarginShares, RateSnapshot } from './split.js';

/**
 * Which rates apply, pure. Channel costs and margin shares come from the merchant's service
 * provider's pricing, else the `default` pricing; the merchant's rate from its own fee plan, else
 * its institution's plan, else the installation's `default` plan (PUT /admin/v1/fee-plans/default).
 * A channel missing everywhere costs 0 / charges 0.
 */

export interface Pricing {
  channel_costs: Record<string, Ppm>;
  margin_shares: MarginShares;
}

export interface FeePlan {
  rates: Record<string, Ppm>;
}

export interface PricingSources {
  merchantPlan: FeePlan | null;
  institutionPlan: FeePlan | null;
  /** the installation-wide default plan, for institutions without their own */
  defaultPlan?: FeePlan | null;
  providerPricing: Pricing | null;
  defaultPricing: Pricing | null;
  hasProvider: boolean;
}

export const NO_SHARES: MarginShares = { service_provider: 0, bank: 0 };

export function resolveRates(channel: string, s: PricingSources): RateSnapshot {
  const pricing = s.providerPricing ?? s.defaultPricing;
  const rate =
    s.merchantPlan?.rates[channel] ?? s.institutionPlan?.rates[channel] ?? s.defaultPlan?.rates[channel] ?? 0;
  return {
    rate: ppm(rate),
    costRate: ppm(pricing?.channel_costs[channel] ?? 0),
    shares: pricing?.margin_shares ?? NO_SHARES,
    hasProvider: s.hasProvider,
  };
}

/** Shares are parts of the margin; together they can't exceed all of it. */
export function validShares(shares: MarginShares): boolean {
  return shares.service_provider + shares.bank <= 1_000_000;
}

/** The demo's pricing (issue 11): WeChat 0.20 %, Alipay 0.23 %, UnionPay 0.22 %; merchants 0.30 %. */
export const DEMO_PRICING: Pricing = {
  channel_costs: { wechatpay: 2000, alipay: 2300, unionpay: 2200 },
  margin_shares: { service_provider: 500_000, bank: 300_000 },
};
export const DEMO_PLAN: FeePlan = { rates: { wechatpay: 3000, alipay: 3000, unionpay: 3000 } };
