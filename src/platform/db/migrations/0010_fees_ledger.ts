import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// Fees (pricing per service provider, merchant fee plans, the fee snapshot of each paid order) and
// the double-entry ledger. Journal entries and postings are immutable: triggers refuse UPDATE,
// DELETE and TRUNCATE, and a statement trigger refuses postings that leave an entry unbalanced.
// Balances are cached in 16 shards per account so a busy merchant's payments do not queue on one
// row.
const STATEMENTS = [
  `
    create table fee_pricing (
      owner_id text primary key,
      channel_costs jsonb not null,
      margin_shares jsonb not null,
      updated_at timestamptz not null
    )
  `,
  `
    create table fee_plans (
      owner_id text primary key,
      rates jsonb not null,
      updated_at timestamptz not null
    )
  `,
  `
    create table order_fees (
      order_id text primary key references orders(id),
      merchant_id text not null,
      channel text not null,
      amount bigint not null,
      rate integer not null,
      cost_rate integer not null,
      provider_share integer not null,
      bank_share integer not null,
      institution_id text not null,
      service_provider_id text,
      fee bigint not null,
      channel_cost bigint not null,
      provider_amount bigint not null,
      bank_amount bigint not null,
      institution_amount bigint not null,
      refunded_amount bigint not null default 0,
      fee_refunded bigint not null default 0,
      cost_refunded bigint not null default 0,
      provider_refunded bigint not null default 0,
      bank_refunded bigint not null default 0,
      institution_refunded bigint not null default 0,
      created_at timestamptz not null,
      check (refunded_amount between 0 and amount)
    )
  `,
  `alter table refunds add column fee_refunded bigint`,
  `
    create table ledger_entries (
      id text primary key,
      event_key text not null unique,
      type text not null,
      balance_type text check (balance_type in ('payment', 'refund', 'settlement', 'payout', 'adjustment')),
      source text not null,
      merchant_id text,
      amount bigint not null default 0,
      fee bigint not null default 0,
      net bigint not null default 0,
      memo jsonb not null default '{}',
      created_at timestamptz not null
    )
  `,
  `create index ledger_entries_source on ledger_entries (source)`,
  `create index ledger_entries_merchant on ledger_entries (merchant_id, id) where balance_type is not null`,
  `
    create table ledger_postings (
      id bigserial primary key,
      entry_id text not null references ledger_entries(id),
      account text not null,
      amount bigint not null check (amount <> 0),
      created_at timestamptz not null
    )
  `,
  `create index ledger_postings_entry on ledger_postings (entry_id)`,
  `create index ledger_postings_account on ledger_postings (account, created_at)`,
  `
    create table ledger_balances (
      account text not null,
      shard smallint not null,
      debit bigint not null default 0,
      credit bigint not null default 0,
      primary key (account, shard)
    )
  `,
  `
    create function ledger_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'ledger % are immutable: % refused', tg_table_name, tg_op
        using errcode = 'JP001';
    end
    $$
  `,
  `create trigger ledger_entries_immutable before update or delete on ledger_entries
     for each row execute function ledger_refuse_change()`,
  `create trigger ledger_entries_no_truncate before truncate on ledger_entries
     for each statement execute function ledger_refuse_change()`,
  `create trigger ledger_postings_immutable before update or delete on ledger_postings
     for each row execute function ledger_refuse_change()`,
  `create trigger ledger_postings_no_truncate before truncate on ledger_postings
     for each statement execute function ledger_refuse_change()`,
  // One check per insert statement (the store writes an entry's postings in one statement): each
  // entry's postings in it must sum to zero, two at least. A posting added later to a committed
  // entry is checked the same way, so it can't unbalance it either.
  `
    create function ledger_check_balanced() returns trigger language plpgsql as $$
    declare
      bad record;
    begin
      select entry_id, sum(amount) as total, count(*) as n into bad
        from new_postings group by entry_id having sum(amount) <> 0 or count(*) < 2 limit 1;
      if found then
        raise exception 'ledger entry % does not balance (sum %, % postings)', bad.entry_id, bad.total, bad.n
          using errcode = 'JP002';
      end if;
      return null;
    end
    $$
  `,
  `create trigger ledger_postings_balanced after insert on ledger_postings
     referencing new table as new_postings for each statement execute function ledger_check_balanced()`,
  // The booking consumer's queue (ledger/booking.ts): its drafts among every other queued job (a
  // webhook backlog can be large) without scanning them.
  `create index if not exists jobs_ledger_booking on jobs (run_at, id)
     where queue = 'ledger.book' and status = 'queued'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, STATEMENTS);
}
