import { sql, type Kysely } from 'kysely';
import { runEach } from './run-each.js';

// One migration set for PGlite and PostgreSQL: plain PostgreSQL DDL, nothing engine-specific.
// Amounts are bigint fen; times are timestamptz written from the injected clock.

const STATEMENTS = [
  `
    create table settings (
      key text primary key,
      value jsonb not null,
      updated_at timestamptz not null
    )
  `,
  `
    create table institutions (
      id text primary key,
      name text not null,
      created_at timestamptz not null default now()
    )
  `,
  `
    create table service_providers (
      id text primary key,
      institution_id text not null references institutions(id),
      name text not null,
      created_at timestamptz not null default now()
    )
  `,
  `
    create table merchants (
      id text primary key,
      institution_id text not null references institutions(id),
      service_provider_id text references service_providers(id),
      name text not null,
      status text not null default 'active' check (status in ('active', 'disabled')),
      created_at timestamptz not null default now()
    )
  `,
  `
    create table stores (
      id text primary key,
      merchant_id text not null references merchants(id),
      name text not null,
      created_at timestamptz not null default now()
    )
  `,
  `
    create index stores_merchant on stores (merchant_id)
  `,
  `
    create table apps (
      id text primary key,
      merchant_id text not null references merchants(id),
      name text not null,
      secret_ciphertext text not null,
      notify_url text,
      status text not null default 'active' check (status in ('active', 'disabled')),
      created_at timestamptz not null default now()
    )
  `,
  `
    create index apps_merchant on apps (merchant_id)
  `,
  `
    create table plates (
      code text primary key,
      batch_id text not null,
      merchant_id text references merchants(id),
      store_id text references stores(id),
      amount bigint check (amount is null or amount > 0),
      status text not null default 'blank' check (status in ('blank', 'bound', 'disabled')),
      created_at timestamptz not null default now()
    )
  `,
  `
    create index plates_batch on plates (batch_id)
  `,
  `
    create table orders (
      id text primary key,
      app_id text not null references apps(id),
      merchant_id text not null references merchants(id),
      mch_order_no text not null,
      amount bigint not null check (amount > 0),
      currency text not null default 'CNY',
      subject text not null,
      status text not null check (status in ('created', 'paying', 'succeeded', 'failed', 'closed')),
      pay_way text,
      channel text,
      channel_trade_no text,
      payer jsonb,
      amount_refunded bigint not null default 0 check (amount_refunded >= 0 and amount_refunded <= amount),
      fee bigint,
      notify_url text,
      return_url text,
      store_id text references stores(id),
      terminal_id text,
      client_ip text,
      metadata jsonb not null default '{}',
      expires_at timestamptz not null,
      paid_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null,
      unique (app_id, mch_order_no)
    )
  `,
  `
    create table outbox (
      id text primary key,
      topic text not null,
      payload jsonb not null,
      created_at timestamptz not null,
      published_at timestamptz
    )
  `,
  `
    create index outbox_unpublished on outbox (created_at, id) where published_at is null
  `,
  `
    create table processed_events (
      consumer text not null,
      event_id text not null,
      processed_at timestamptz not null,
      primary key (consumer, event_id)
    )
  `,
  `
    create table jobs (
      id text primary key,
      queue text not null,
      payload jsonb not null,
      status text not null check (status in ('queued', 'running', 'done', 'failed')),
      run_at timestamptz not null,
      attempts integer not null default 0,
      max_attempts integer not null check (max_attempts > 0),
      last_error text,
      locked_by text,
      locked_until timestamptz,
      dedupe_key text unique,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )
  `,
  `
    create index jobs_due on jobs (run_at) where status = 'queued'
  `,
  `
    create index jobs_leased on jobs (locked_until) where status = 'running'
  `,
  `
    create table idempotency_keys (
      app_id text not null,
      key text not null,
      request_hash text not null,
      status text not null check (status in ('in_progress', 'done')),
      response_status integer,
      response_body text,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      primary key (app_id, key)
    )
  `,
  `
    create index idempotency_keys_expiry on idempotency_keys (expires_at)
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, STATEMENTS);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table idempotency_keys, jobs, processed_events, outbox, orders, plates, apps, stores,
      merchants, service_providers, institutions, settings;
  `.execute(db);
}
