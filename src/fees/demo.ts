import type { Tx } from '../platform/db/index.js';
import { DEMO_PLAN, DEMO_PRICING } from './pricing.js';
import { putFeePlan, putPricing } from './store.js';

/** The demo's pricing: the `default` pricing and the demo institution's default plan. */
export async function installDemoPricing(tx: Tx, institutionId: string, now: Date): Promise<void> {
  await putPricing(tx, 'default', DEMO_PRICING, now);
  await putFeePlan(tx, institutionId, DEMO_PLAN, now);
}
