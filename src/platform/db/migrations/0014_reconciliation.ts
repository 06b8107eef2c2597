import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// Reconciliation (issue 14, CONTRACT §7). One reconciliation per trade date, channel and channel
// identity (re-running the day updates it in place); its mismatches keyed by the matcher's key so
// a re-run finds the same rows; the raw bill as downloaded, in 1 MiB chunks (a day's bill can
// be hundreds of MiB: it is written and read back as a stream).

const STATEMENTS: string[] = [
  `
    create table reconciliations (
      id text primary key,
      trade_date text not null,
      channel text not null,
      identity text not null,
      status text not null check (status in ('running', 'completed', 'failed')),
      reason text,
      summary jsonb not null default '{}',
      totals jsonb,
      bill_file_id text,
      runs integer not null default 1,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      completed_at timestamptz,
      unique (trade_date, channel, identity)
    )
  `,
  `create index reconciliations_by_date on reconciliations (trade_date)`,
  `
    create table reconciliation_mismatches (
      id text primary key,
      reconciliation_id text not null references reconciliations(id),
      trade_date text not null,
      channel text not null,
      match_key text not null,
      type text not null check (type in
        ('channel_only', 'platform_only', 'amount_mismatch', 'status_mismatch', 'fee_mismatch')),
      kind text not null check (kind in ('trade', 'refund')),
      merchant_id text,
      order_id text,
      refund_id text,
      out_trade_no text,
      channel_trade_no text,
      channel_amount bigint,
      platform_amount bigint,
      channel_fee bigint,
      platform_fee bigint,
      channel_status text,
      platform_status text,
      detail text not null,
      status text not null default 'open' check (status in ('open', 'auto_resolved', 'resolved')),
      resolution jsonb,
      run integer not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      resolved_at timestamptz,
      unique (reconciliation_id, match_key)
    )
  `,
  `create index reconciliation_mismatches_open on reconciliation_mismatches (trade_date) where status = 'open'`,
  `
    create table reconciliation_bill_files (
      id text primary key,
      reconciliation_id text not null references reconciliations(id),
      format text not null,
      file_name text,
      sha1 text,
      size bigint not null default 0,
      created_at timestamptz not null
    )
  `,
  `
    create table reconciliation_bill_chunks (
      file_id text not null references reconciliation_bill_files(id) on delete cascade,
      seq integer not null,
      data bytea not null,
      primary key (file_id, seq)
    )
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, STATEMENTS);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    'drop table reconciliation_bill_chunks',
    'drop table reconciliation_bill_files',
    'drop table reconciliation_mismatches',
    'drop table reconciliations',
  ]);
}
