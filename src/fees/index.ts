// The fees module's public face: other modules import only this file.
export { splitFee, refundSplit, type FeeSplit, type MarginShares, type RateSnapshot } from './split.js';
export { resolveRates, validShares, DEMO_PLAN, DEMO_PRICING, type FeePlan, type Pricing } from './pricing.js';
export {
  snapshotOrderFee,
  orderFeeRow,
  insertOrderFee,
  recordRefundFee,
  ratesFor,
  rateSources,
  ratesFromSources,
  type RateSources,
  splitOf,
  putPricing,
  putFeePlan,
  getPricing,
  getFeePlan,
  type OrderFeeRow,
  type PaidOrder,
  type Rates,
  type NewOrderFee,
} from './store.js';
export { registerFeeAdminRoutes } from './http/admin-routes.js';
export { installDemoPricing } from './demo.js';
