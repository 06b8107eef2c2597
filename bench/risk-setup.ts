import type { AppContext } from '../src/http/context.js';
import { createRisk, loadRiskConfig } from '../src/risk/index.js';
import { addListEntry, createRule } from '../src/risk/operations.js';
import { benchRules, toCel } from './risk-rules.js';

/**
 * The context with the risk engine on, as the benchmarks configure it: 1,000 list entries
 * (200 CIDR ranges) and the 50 rules over 5 counters of bench/risk-rules.ts. The rule names are
 * unique per call, so two setups on one database do not collide.
 */
export async function withRisk(ctx: AppContext): Promise<AppContext> {
  const deps = { db: ctx.db, cache: ctx.cache, clock: ctx.clock };
  const existing = await ctx.db.selectFrom('risk_rules').select('id').limit(1).execute();
  if (existing.length === 0) {
    for (let i = 0; i < 1_000; i++) {
      const cidr = i % 5 === 0;
      await addListEntry(deps, i % 3 === 0 ? 'review' : 'block', {
        type: cidr ? 'ip' : 'device',
        value: cidr ? `172.${16 + (i % 16)}.${i % 256}.0/24` : `blocked-device-${i}`,
      });
    }
    for (const rule of benchRules())
      await createRule(deps, {
        name: rule.name,
        scene: 'payment',
        expression: toCel(rule),
        action: 'reject',
        mode: 'active',
      });
  }
  const risk = await createRisk({ ...deps, logger: ctx.logger, config: loadRiskConfig({}) });
  return { ...ctx, risk };
}
