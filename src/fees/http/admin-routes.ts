import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { ApiError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { writeAudit } from '../../merchants/index.js';
import { ErrorResponse, IdParam, Strict } from '../../http/schemas.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
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
  // the plans merchants without their own use: an institution's (`ins_…`), else the installation's
  // `default` (CONTRACT §6: "without a plan the institution's default plan applies")
  settingRoutes<FeePlan>(scope, ctx, {
    path: '/fee-plans/:owner',
    param: 'owner',
    key: PlanOwner,
    body: PlanBody,
    summaries: {
      put: "Set the default fee plan: an institution's (`ins_…`) or the installation's (`default`), for merchants without their own",
      get: "A default fee plan: an institution's (`ins_…`) or the installation's (`default`)",
    },
    putErrors: { 400: ErrorResponse, 404: ErrorResponse },
    owner: async (tx, owner) => {
      if (owner !== 'default' && !(await exists(tx, 'institutions', owner)))
        throw new ApiError('resource_missing', `no institution ${owner}`, 'owner');
    },
    read: getFeePlan,
    write: putFeePlan,
    view: defaultPlanObject,
    audit: { action: 'fee_plan.update', objectType: 'fee_plan' },
    missing: (owner) => new ApiError('resource_missing', `no fee plan for ${owner}`, 'owner'),
  });

  settingRoutes<Pricing>(scope, ctx, {
    path: '/pricing/:owner',
    param: 'owner',
    key: PricingOwner,
    body: PricingBody,
    summaries: {
      put: 'Set the channel costs and margin shares of a service provider, or the `default`',
      get: 'The pricing of a service provider, or the `default`',
    },
    putErrors: { 400: ErrorResponse, 404: ErrorResponse, 422: ErrorResponse },
    check: (pricing) => {
      if (!validShares(pricing.margin_shares))
        throw new ApiError(
          'validation_failed',
          'the margin shares add up to more than 1000000 ppm',
          'margin_shares',
        );
    },
    owner: async (tx, owner) => {
      if (owner !== 'default' && !(await exists(tx, 'service_providers', owner)))
        throw new ApiError('resource_missing', `no service provider ${owner}`, 'service_provider_id');
    },
    read: getPricing,
    write: putPricing,
    view: pricingObject,
    audit: { action: 'pricing.update', objectType: 'pricing' },
    missing: (owner) => new ApiError('resource_missing', `no pricing for ${owner}`, 'owner'),
  });

  settingRoutes<FeePlan>(scope, ctx, {
    path: '/merchants/:id/fee-plan',
    param: 'id',
    key: IdParam('mch'),
    body: PlanBody,
    summaries: {
      put: "Set a merchant's fee rate per channel (applies to orders that succeed afterwards)",
      get: "A merchant's own fee plan (404 when it uses its institution's default)",
    },
    putErrors: { 400: ErrorResponse, 404: ErrorResponse },
    owner: async (tx, id) => {
      if (!(await exists(tx, 'merchants', id)))
        throw new ApiError('resource_missing', `no merchant ${id}`, 'id');
    },
    read: getFeePlan,
    write: putFeePlan,
    view: planObject,
    audit: { action: 'fee_plan.update', objectType: 'merchant', ofMerchant: true },
    missing: (id) => new ApiError('resource_missing', `merchant ${id} has no own fee plan`, 'id'),
  });
}

const defaultPlanObject = (owner: string, p: FeePlan) => ({ object: 'fee_plan', owner, ...p });

function exists(tx: Tx, table: 'service_providers' | 'merchants' | 'institutions', id: string) {
  return tx.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst();
}

/** One setting kept per owner (a pricing, a fee plan): PUT replaces it, audited; GET reads it. */
interface Setting<T> {
  path: string;
  /** the path parameter naming the owner, and its schema */
  param: string;
  key: TSchema;
  body: TSchema;
  summaries: { put: string; get: string };
  putErrors: Record<number, TSchema>;
  /** refuses a body the schema cannot (before any transaction) */
  check?: (value: T) => void;
  /** refuses an owner that does not exist (inside the transaction) */
  owner: (tx: Tx, owner: string) => Promise<void>;
  read: (db: Db | Tx, owner: string) => Promise<T | null>;
  write: (tx: Tx, owner: string, value: T, now: Date) => Promise<void>;
  view: (owner: string, value: T) => Record<string, unknown>;
  /** the audit entry's action and object type; `ofMerchant`: the owner is a merchant */
  audit: { action: string; objectType: string; ofMerchant?: boolean };
  missing: (owner: string) => ApiError;
}

function settingRoutes<T>(scope: FastifyInstance, ctx: { db: Db; clock: Clock }, s: Setting<T>): void {
  const { db, clock } = ctx;
  const params = Strict({ [s.param]: s.key });
  const ownerOf = (request: { params: unknown }) => (request.params as Record<string, string>)[s.param]!;

  scope.put(
    s.path,
    { schema: { tags, summary: s.summaries.put, security, params, body: s.body, response: s.putErrors } },
    async (request) => {
      const owner = ownerOf(request);
      const value = request.body as T;
      s.check?.(value);
      return inTransaction(db, async (tx) => {
        await s.owner(tx, owner);
        const before = await s.read(tx, owner);
        await s.write(tx, owner, value, clock.now());
        await writeAudit(
          tx,
          {
            actor: 'admin',
            requestId: request.id,
            action: s.audit.action,
            objectType: s.audit.objectType,
            objectId: owner,
            ...(s.audit.ofMerchant ? { merchantId: owner } : {}),
            before: before ? s.view(owner, before) : null,
            after: s.view(owner, value),
          },
          clock,
        );
        return s.view(owner, value);
      });
    },
  );

  scope.get(
    s.path,
    { schema: { tags, summary: s.summaries.get, security, params, response: { 404: ErrorResponse } } },
    async (request) => {
      const owner = ownerOf(request);
      const value = await s.read(db, owner);
      if (!value) throw s.missing(owner);
      return s.view(owner, value);
    },
  );
}
