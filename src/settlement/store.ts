import { sql } from 'kysely';
import { newestFirst, type Queryable } from '../platform/db/index.js';
import { chinaDayRange } from './config.js';

/**
 * The day's money, aggregated in SQL per merchant (a million orders stay in the database; one row
 * per merchant comes back), and the reads of settlements and payouts.
 *
 * A trade belongs to the China date its order succeeded (`paid_at`); a refund to the date it was
 * counted as refunded (`abnormal_at` when the channel reported it abnormal first, else
 * `succeeded_at`) — the instants the ledger booked them into the merchant's pending balance.
 */

export interface DayTotals {
  merchantId: string;
  tradeCount: number;
  refundCount: number;
  gross: number;
  refunds: number;
  /** fees charged on the day's trades */
  feesCharged: number;
  /** fees returned with the day's refunds (`fee_refunded`) */
  feesReturned: number;
  /** one of the day's orders carries the risk engine's review flag */
  underReview: boolean;
}

export async function dayTotals(db: Queryable, tradeDate: string): Promise<DayTotals[]> {
  const { start, end } = chinaDayRange(tradeDate);
  const result = await sql<{
    merchant_id: string;
    trade_count: string | number;
    refund_count: string | number;
    gross: string | number;
    refunds: string | number;
    fees_charged: string | number;
    fees_returned: string | number;
    under_review: boolean;
  }>`
    with t as (
      select merchant_id, count(*) as n, sum(amount) as gross, sum(coalesce(fee, 0)) as fees,
             bool_or(risk_flag = 'review') as review
      from orders
      where status = 'succeeded' and paid_at >= ${start} and paid_at < ${end}
      group by merchant_id
    ), r as (
      select merchant_id, count(*) as n, sum(amount) as refunds, sum(coalesce(fee_refunded, 0)) as fees
      from refunds
      where status in ('succeeded', 'abnormal')
        and coalesce(abnormal_at, succeeded_at) >= ${start} and coalesce(abnormal_at, succeeded_at) < ${end}
      group by merchant_id
    )
    select coalesce(t.merchant_id, r.merchant_id) as merchant_id,
           coalesce(t.n, 0) as trade_count, coalesce(r.n, 0) as refund_count,
           coalesce(t.gross, 0) as gross, coalesce(r.refunds, 0) as refunds,
           coalesce(t.fees, 0) as fees_charged, coalesce(r.fees, 0) as fees_returned,
           coalesce(t.review, false) as under_review
    from t full outer join r on r.merchant_id = t.merchant_id
    order by 1
  `.execute(db);
  return result.rows.map((r) => ({
    merchantId: r.merchant_id,
    tradeCount: Number(r.trade_count),
    refundCount: Number(r.refund_count),
    gross: Number(r.gross),
    refunds: Number(r.refunds),
    feesCharged: Number(r.fees_charged),
    feesReturned: Number(r.fees_returned),
    underReview: r.under_review === true,
  }));
}

export async function openHoldMerchants(db: Queryable): Promise<Set<string>> {
  const rows = await db
    .selectFrom('merchant_holds')
    .select('merchant_id')
    .where('released_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.merchant_id));
}

export function openHold(db: Queryable, merchantId: string) {
  return db
    .selectFrom('merchant_holds')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('released_at', 'is', null)
    .executeTakeFirst();
}

export function runOf(db: Queryable, tradeDate: string) {
  return db.selectFrom('settlement_runs').selectAll().where('trade_date', '=', tradeDate).executeTakeFirst();
}

export function settlementById(db: Queryable, id: string) {
  return db.selectFrom('settlements').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface SettlementQuery {
  tradeDate?: string;
  settlementDate?: string;
  merchantId?: string;
  status?: string;
  limit: number;
  startingAfter?: string;
}

/** Newest first by id, limit + 1 rows (see toPage). */
export function listSettlements(db: Queryable, q: SettlementQuery) {
  return newestFirst(db.selectFrom('settlements').selectAll(), q, {
    trade_date: q.tradeDate,
    settlement_date: q.settlementDate,
    merchant_id: q.merchantId,
    status: q.status as 'pending' | undefined,
  }).execute();
}

/** Every settlement of a trade date in merchant order, in pages (the CSV report streams them). */
export async function* settlementsOfDay(db: Queryable, tradeDate: string, page = 1000) {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('settlements')
      .selectAll()
      .where('trade_date', '=', tradeDate)
      .where('merchant_id', '>', after)
      .orderBy('merchant_id')
      .limit(page)
      .execute();
    yield* rows;
    if (rows.length < page) return;
    after = rows[rows.length - 1]!.merchant_id;
  }
}

export function payoutById(db: Queryable, id: string) {
  return db.selectFrom('payouts').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listPayouts(
  db: Queryable,
  q: { settlementDate?: string; status?: string; limit: number; startingAfter?: string },
) {
  return newestFirst(db.selectFrom('payouts').selectAll(), q, {
    settlement_date: q.settlementDate,
    status: q.status as 'paying' | undefined,
  }).execute();
}

/** The payouts of a settlement date in merchant order (the bank file). */
export function payoutsOfDate(db: Queryable, settlementDate: string, statuses: readonly string[]) {
  return db
    .selectFrom('payouts')
    .selectAll()
    .where('settlement_date', '=', settlementDate)
    .where('status', 'in', statuses as ('paying' | 'paid')[])
    .orderBy('merchant_id')
    .execute();
}
