import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { writeAudit } from '../../merchants/index.js';
import { ErrorResponse, IdParam, Strict } from '../../http/schemas.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { validShares, type FeePlan, type Pricing } from '../pricing.js';
import { getFeePlan, getPricing, putFeePlan, putPricing } from '../store.js';

/** CONTRACT §6: pricing (channel costs, margin shares) and merchant fee plans, audited. */

const tags = ['admin: fees'];
const security = [{ adminToken: [] }];
const Rate = Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'ppm (3000 = 0.30 %)' });
const ChannelRates = Type.Record(Type.String({ pattern: '^[a-z0-9_]{1,32}$' }), Rate, {
  additionalProperties: false, // a key outside the pattern is refused, not ignored
});
const PricingBody = Strict({
  channel_costs: ChannelRates,
  margin_shares: Strict({ service_provider: Rate, bank: Rate }),
});
const PlanBody = Strict({ rates: ChannelRates });
const PricingOwner = Type.Union([Type.Literal('default'), IdParam('isp')]);
const PlanOwner = Type.Union([Type.Literal('default'), IdParam('ins')]);

const pricingObject = (owner: string, p: Pricing) => ({ object: 'pricing', owner, ...p });
const planObject = (merchantId: string, p: FeePlan) => ({
  object: 'fee_plan',
  merchant_id: merchantId,
  ...p,
});

export function registerFeeAdminRoutes(scope: FastifyInstance, ctx: { db: Db; clock: Clock }): void {
  const { db, clock } = ctx;
  registerDefaultPlanRoutes(scope, ctx);

  scope.put(
    '/pricing/:owner',
    {
      schema: {
        tags,
        summary: 'Set the channel costs and margin shares of a service provider, or the `default`',
        security,
        params: Strict({ owner: PricingOwner }),
        body: PricingBody,
        response: { 400: ErrorResponse, 404: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (request) => {
      const { owner } = request.params as { owner: string };
      const pricing = request.body as Pricing;
      if (!validShares(pricing.margin_shares))
        throw new ApiError(
          'validation_failed',
          'the margin shares add up to more than 1000000 ppm',
          'margin_shares',
        );
      return inTransaction(db, async (tx) => {
        if (owner !== 'default') {
          const provider = await tx
            .selectFrom('service_providers')
            .select('id')
            .where('id', '=', owner)
            .executeTakeFirst();
          if (!provider)
            throw new ApiError('resource_missing', `no service provider ${owner}`, 'service_provider_id');
        }
        const before = await getPricing(tx, owner);
        await putPricing(tx, owner, pricing, clock.now());
        await writeAudit(
          tx,
          {
            actor: 'admin',
            requestId: request.id,
            action: 'pricing.update',
            objectType: 'pricing',
            objectId: owner,
            before: before ? pricingObject(owner, before) : null,
            after: pricingObject(owner, pricing),
          },
          clock,
        );
        return pricingObject(owner, pricing);
      });
    },
  );

  scope.get(
    '/pricing/:owner',
    {
      schema: {
        tags,
        summary: 'The pricing of a service provider, or the `default`',
        security,
        params: Strict({ owner: PricingOwner }),
        response: { 404: ErrorResponse },
      },
    },
    async (request) => {
      const { owner } = request.params as { owner: string };
      const pricing = await getPricing(db, owner);
      if (!pricing) throw new ApiError('resource_missing', `no pricing for ${owner}`, 'owner');
      return pricingObject(owner, pricing);
    },
  );

  scope.put(
    '/merchants/:id/fee-plan',
    {
      schema: {
        tags,
        summary: "Set a merchant's fee rate per channel (applies to orders that succeed afterwards)",
        security,
        params: Strict({ id: IdParam('mch') }),
        body: PlanBody,
        response: { 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const plan = request.body as FeePlan;
      return inTransaction(db, async (tx) => {
        const merchant = await tx
          .selectFrom('merchants')
          .select('id')
          .where('id', '=', id)
          .executeTakeFirst();
        if (!merchant) throw new ApiError('resource_missing', `no merchant ${id}`, 'id');
        const before = await getFeePlan(tx, id);
        await putFeePlan(tx, id, plan, clock.now());
        await writeAudit(
          tx,
          {
            actor: 'admin',
            requestId: request.id,
            action: 'fee_plan.update',
            objectType: 'merchant',
            objectId: id,
            merchantId: id,
            before: before ? planObject(id, before) : null,
            after: planObject(id, plan),
          },
          clock,
        );
        return planObject(id, plan);
      });
    },
  );

  scope.get(
    '/merchants/:id/fee-plan',
    {
      schema: {
        tags,
        summary: "A merchant's own fee plan (404 when it uses its institution's default)",
        security,
        params: Strict({ id: IdParam('mch') }),
        response: { 404: ErrorResponse },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const plan = await getFeePlan(db, id);
      if (!plan) throw new ApiError('resource_missing', `merchant ${id} has no own fee plan`, 'id');
      return planObject(id, plan);
    },
  );
}

const defaultPlanObject = (owner: string, p: FeePlan) => ({ object: 'fee_plan', owner, ...p });

/**
 * The plans merchants without their own use: an institution's (`ins_…`), else the installation's
 * `default` (CONTRACT §6: "without a plan the institution's default plan applies").
 */
function registerDefaultPlanRoutes(scope: FastifyInstance, ctx: { db: Db; clock: Clock }): void {
  const { db, clock } = ctx;
  scope.put(
    '/fee-plans/:owner',
    {
      schema: {
        tags,
        summary:
          "Set the default fee plan: an institution's (`ins_…`) or the installation's (`default`), for merchants without their own",
        security,
        params: Strict({ owner: PlanOwner }),
        body: PlanBody,
        response: { 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => {
      const { owner } = request.params as { owner: string };
      const plan = request.body as FeePlan;
      return inTransaction(db, async (tx) => {
        if (owner !== 'default') {
          const institution = await tx
            .selectFrom('institutions')
            .select('id')
            .where('id', '=', owner)
            .executeTakeFirst();
          if (!institution) throw new ApiError('resource_missing', `no institution ${owner}`, 'owner');
        }
        const before = await getFeePlan(tx, owner);
        await putFeePlan(tx, owner, plan, clock.now());
        await writeAudit(
          tx,
          {
            actor: 'admin',
            requestId: request.id,
            action: 'fee_plan.update',
            objectType: 'fee_plan',
            objectId: owner,
            before: before ? defaultPlanObject(owner, before) : null,
            after: defaultPlanObject(owner, plan),
          },
          clock,
        );
        return defaultPlanObject(owner, plan);
      });
    },
  );

  scope.get(
    '/fee-plans/:owner',
    {
      schema: {
        tags,
        summary: "A default fee plan: an institution's (`ins_…`) or the installation's (`default`)",
        security,
        params: Strict({ owner: PlanOwner }),
        response: { 404: ErrorResponse },
      },
    },
    async (request) => {
      const { owner } = request.params as { owner: string };
      const plan = await getFeePlan(db, owner);
      if (!plan) throw new ApiError('resource_missing', `no fee plan for ${owner}`, 'owner');
      return defaultPlanObject(owner, plan);
    },
  );
}
