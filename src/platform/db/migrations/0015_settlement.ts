import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// Settlement (CONTRACT §7): the working-day calendar per year, one run per trade date, one
// settlement per merchant and trade date, payouts per merchant and settlement date, operator
// holds. Dates are yyyy-MM-dd China dates kept as text, so no driver shifts them into a Date.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `create table settlement_calendar_years (
       year integer primary key,
       holidays jsonb not null,
       workdays jsonb not null,
       updated_at timestamptz not null
     )`,
    `create table settlement_runs (
       trade_date text primary key check (trade_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
       settlement_date text not null,
       status text not null check (status in ('running', 'completed')),
       merchants integer not null default 0,
       orders bigint not null default 0,
       refunds bigint not null default 0,
       net bigint not null default 0,
       started_at timestamptz not null,
       finished_at timestamptz
     )`,
    `create table settlements (
       id text primary key,
       merchant_id text not null,
       trade_date text not null,
       settlement_date text not null,
       trade_count integer not null,
       refund_count integer not null,
       gross bigint not null,
       refunds bigint not null,
       fees bigint not null,
       net bigint not null check (net = gross - refunds - fees),
       status text not null check (status in ('pending', 'paying', 'paid', 'failed', 'held')),
       hold_reason text,
       payout_id text,
       created_at timestamptz not null,
       updated_at timestamptz not null,
       unique (merchant_id, trade_date)
     )`,
    `create index settlements_trade_date on settlements (trade_date, merchant_id)`,
    `create index settlements_unpaid on settlements (settlement_date) where status in ('pending', 'held')`,
    `create index settlements_payout on settlements (payout_id) where payout_id is not null`,
    `create table payouts (
       id text primary key,
       merchant_id text not null,
       settlement_date text not null,
       amount bigint not null check (amount > 0),
       status text not null check (status in ('paying', 'paid', 'failed', 'returned')),
       account_name text not null,
       bank text not null,
       account_no_masked text not null,
       account_ciphertext text not null,
       attempts integer not null default 1,
       failure_reason text,
       created_at timestamptz not null,
       updated_at timestamptz not null,
       unique (merchant_id, settlement_date)
     )`,
    `create index payouts_date on payouts (settlement_date, merchant_id)`,
    `create table merchant_holds (
       id text primary key,
       merchant_id text not null,
       reason text not null,
       created_at timestamptz not null,
       released_at timestamptz,
       release_note text
     )`,
    `create unique index merchant_holds_open on merchant_holds (merchant_id) where released_at is null`,
    // the day's trades and refunds are read by time range: the settlement's aggregation
    `create index orders_paid_at on orders (paid_at) where status = 'succeeded'`,
    `create index refunds_done_at on refunds ((coalesce(abnormal_at, succeeded_at))) where status in ('succeeded', 'abnormal')`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `drop index refunds_done_at`,
    `drop index orders_paid_at`,
    `drop table merchant_holds`,
    `drop table payouts`,
    `drop table settlements`,
    `drop table settlement_runs`,
    `drop table settlement_calendar_years`,
  ]);
}
