import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// Payments: what the cashier and the channels need on an order, refunds, late-payment exceptions,
// and a log of channel notifications (each processed once per state change).
const STATEMENTS = [
  `alter table orders add column request_hash text not null default ''`,
  `alter table orders add column channel_payer_id text`,
  `alter table orders add column channel_action jsonb`,
  `alter table orders add column channel_order_created_at timestamptz`,
  `alter table orders add column failure_code text`,
  `alter table orders add column failure_message text`,
  `create index orders_unfinished on orders (expires_at) where status in ('created', 'paying')`,
  `
    create table refunds (
      id text primary key,
      order_id text not null references orders(id),
      app_id text not null references apps(id),
      merchant_id text not null references merchants(id),
      mch_refund_no text not null,
      amount bigint not null check (amount > 0),
      status text not null check (status in ('pending', 'succeeded', 'failed')),
      reason text,
      notify_url text,
      request_hash text not null,
      channel_refund_no text,
      failure_code text,
      failure_message text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      succeeded_at timestamptz,
      unique (order_id, mch_refund_no)
    )
  `,
  `create index refunds_pending on refunds (created_at) where status = 'pending'`,
  `
    create table payment_exceptions (
      id text primary key,
      order_id text not null references orders(id),
      kind text not null check (kind in ('late_payment', 'amount_mismatch')),
      channel text,
      channel_trade_no text,
      amount bigint,
      details jsonb not null default '{}',
      status text not null default 'open' check (status in ('open', 'resolved')),
      resolution text,
      created_at timestamptz not null,
      resolved_at timestamptz,
      unique (order_id, kind)
    )
  `,
  `
    create table channel_notifications (
      id bigserial primary key,
      channel text not null,
      merchant_id text not null,
      out_trade_no text,
      kind text,
      outcome text not null,
      detail text,
      received_at timestamptz not null
    )
  `,
  `create index channel_notifications_trade on channel_notifications (out_trade_no)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, STATEMENTS);
}
