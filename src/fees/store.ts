import { sql, type Expression, type RawBuilder } from 'kysely';
import type { Queryable, Tx } from '../platform/db/index.js';
import { resolveRates, type FeePlan, type Pricing } from './pricing.js';
import { refundSplit, splitFee, type FeeSplit, type RateSnapshot } from './split.js';
import type { OrderFeesTable } from './tables.js';
import type { Insertable, QueryCreator, Selectable } from 'kysely';
import type { Tables } from '../platform/db/tables.js';

/** Fee tables: pricing and plans (admin), and the snapshot each paid order keeps. */

export type OrderFeeRow = Selectable<OrderFeesTable>;

export async function putPricing(db: Queryable, ownerId: string, pricing: Pricing, now: Date): Promise<void> {
  const values = {
    channel_costs: JSON.stringify(pricing.channel_costs),
    margin_shares: JSON.stringify(pricing.margin_shares),
    updated_at: now,
  };
  await db
    .insertInto('fee_pricing')
    .values({ owner_id: ownerId, ...values })
    .onConflict((oc) => oc.column('owner_id').doUpdateSet(values))
    .execute();
}

export async function putFeePlan(db: Queryable, ownerId: string, plan: FeePlan, now: Date): Promise<void> {
  const values = { rates: JSON.stringify(plan.rates), updated_at: now };
  await db
    .insertInto('fee_plans')
    .values({ owner_id: ownerId, ...values })
    .onConflict((oc) => oc.column('owner_id').doUpdateSet(values))
    .execute();
}

export async function getPricing(db: Queryable, ownerId: string): Promise<Pricing | null> {
  const row = await db
    .selectFrom('fee_pricing')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
  return row ? { channel_costs: row.channel_costs, margin_shares: row.margin_shares } : null;
}

export async function getFeePlan(db: Queryable, ownerId: string): Promise<FeePlan | null> {
  const row = await db.selectFrom('fee_plans').selectAll().where('owner_id', '=', ownerId).executeTakeFirst();
  return row ? { rates: row.rates } : null;
}

/** Everything that decides a merchant's rates, as one jsonb value (rateSources). */
export interface RateSources {
  institution_id: string;
  service_provider_id: string | null;
  merchant_plan: Record<string, number> | null;
  institution_plan: Record<string, number> | null;
  default_plan: Record<string, number> | null;
  provider_pricing: Pricing | null;
  default_pricing: Pricing | null;
}

/**
 * The SQL of a merchant's rate sources (its plan, its institution's, the default plan, its
 * provider's pricing and the default pricing), as one scalar subquery: a caller can select it
 * alongside its own row (payments read it with the order they lock), saving a round trip.
 */
export function rateSources(merchantId: Expression<string> | string): RawBuilder<RateSources | null> {
  const pricing = (owner: RawBuilder<unknown>) =>
    sql`(select jsonb_build_object('channel_costs', channel_costs, 'margin_shares', margin_shares)
      from fee_pricing where owner_id = ${owner})`;
  return sql<RateSources | null>`(select jsonb_build_object(
      'institution_id', m.institution_id,
      'service_provider_id', m.service_provider_id,
      'merchant_plan', (select rates from fee_plans where owner_id = m.id),
      'institution_plan', (select rates from fee_plans where owner_id = m.institution_id),
      'default_plan', (select rates from fee_plans where owner_id = 'default'),
      'provider_pricing', ${pricing(sql`m.service_provider_id`)},
      'default_pricing', ${pricing(sql`'default'`)})
    from merchants m where m.id = ${merchantId})`;
}

export interface Rates {
  snapshot: RateSnapshot;
  institutionId: string;
  serviceProviderId: string | null;
}

/** A channel's rates from the sources, pure. */
export function ratesFromSources(src: RateSources, channel: string): Rates {
  const snapshot = resolveRates(channel, {
    merchantPlan: src.merchant_plan ? { rates: src.merchant_plan } : null,
    institutionPlan: src.institution_plan ? { rates: src.institution_plan } : null,
    defaultPlan: src.default_plan ? { rates: src.default_plan } : null,
    providerPricing: src.provider_pricing,
    defaultPricing: src.default_pricing,
    hasProvider: src.service_provider_id !== null,
  });
  return { snapshot, institutionId: src.institution_id, serviceProviderId: src.service_provider_id };
}

/** A merchant's rates on a channel, in one round trip. */
export async function ratesFor(db: Queryable, merchantId: string, channel: string): Promise<Rates> {
  const { rows } = await sql<{
    sources: RateSources | null;
  }>`select ${rateSources(merchantId)} as sources`.execute(db);
  const src = rows[0]?.sources;
  if (!src) throw new Error(`no merchant ${merchantId}`);
  return ratesFromSources(src, channel);
}

export interface PaidOrder {
  id: string;
  merchant_id: string;
  channel: string | null;
  amount: number;
}

export type NewOrderFee = Insertable<OrderFeesTable>;

/** The snapshot row of an order paid at these rates, pure. */
export function orderFeeRow(order: PaidOrder, rates: Rates, now: Date): NewOrderFee & { fee: number } {
  const { snapshot, institutionId, serviceProviderId } = rates;
  const split = splitFee(order.amount, snapshot);
  return {
    order_id: order.id,
    merchant_id: order.merchant_id,
    channel: order.channel ?? 'unknown',
    amount: order.amount,
    rate: snapshot.rate,
    cost_rate: snapshot.costRate,
    provider_share: snapshot.shares.service_provider,
    bank_share: snapshot.shares.bank,
    institution_id: institutionId,
    service_provider_id: serviceProviderId,
    fee: split.fee,
    channel_cost: split.channelCost,
    provider_amount: split.provider,
    bank_amount: split.bank,
    institution_amount: split.institution,
    created_at: now,
  };
}

/**
 * The insert of a snapshot (a second one for the order inserts nothing), not yet run: the ledger
 * runs it together with its booking in one statement (a CTE), one round trip fewer on the payment.
 */
export function insertOrderFee(qc: QueryCreator<Tables>, row: NewOrderFee) {
  return qc
    .insertInto('order_fees')
    .values(row)
    .onConflict((oc) => oc.column('order_id').doNothing());
}

/**
 * Fixes the order's rates and fee split (once: a second call returns the first snapshot).
 * Runs in the transaction that marks the order succeeded.
 */
export async function snapshotOrderFee(tx: Tx, order: PaidOrder, now: Date): Promise<OrderFeeRow> {
  const rates = await ratesFor(tx, order.merchant_id, order.channel ?? 'unknown');
  const row = await insertOrderFee(tx, orderFeeRow(order, rates, now))
    .returningAll()
    .executeTakeFirst();
  return (
    row ?? tx.selectFrom('order_fees').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow()
  );
}

export function splitOf(
  row: Pick<OrderFeeRow, 'fee' | 'channel_cost' | 'provider_amount' | 'bank_amount' | 'institution_amount'>,
): FeeSplit {
  return {
    fee: row.fee,
    channelCost: row.channel_cost,
    provider: row.provider_amount,
    bank: row.bank_amount,
    institution: row.institution_amount,
    absorbed: Math.max(0, -row.institution_amount),
  };
}

/**
 * Records that `amount` of the order was refunded and returns the parts of the fee this refund
 * gives back. The caller holds the order's row lock, so refunds of one order apply one at a time.
 */
export async function recordRefundFee(
  tx: Tx,
  orderId: string,
  amount: number,
): Promise<{ snapshot: OrderFeeRow; parts: FeeSplit } | null> {
  const row = await tx
    .selectFrom('order_fees')
    .selectAll()
    .where('order_id', '=', orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return null; // paid before fees existed: nothing to return
  const parts = refundSplit(splitOf(row), row.amount, row.refunded_amount, amount);
  const snapshot = await tx
    .updateTable('order_fees')
    .set((eb) => ({
      refunded_amount: eb('refunded_amount', '+', amount),
      fee_refunded: eb('fee_refunded', '+', parts.fee),
      cost_refunded: eb('cost_refunded', '+', parts.channelCost),
      provider_refunded: eb('provider_refunded', '+', parts.provider),
      bank_refunded: eb('bank_refunded', '+', parts.bank),
      institution_refunded: eb('institution_refunded', '+', parts.institution),
    }))
    .where('order_id', '=', orderId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { snapshot, parts };
}
