import { sql, type Kysely } from 'kysely';
import { runEach } from './run-each.js';

// Merchant webhooks (issue 6): events with a per-object sequence, their delivery state, and one
// row per delivery attempt. The attempt's primary key (event, number) is what makes a second
// sending of the same attempt impossible, whatever the number of workers.

const STATEMENTS: string[] = [
  `
    create table webhook_sequences (
      object_id text primary key,
      last_sequence integer not null check (last_sequence > 0)
    )
  `,
  `
    create table webhook_events (
      id text primary key,
      app_id text not null references apps(id),
      merchant_id text not null references merchants(id),
      type text not null,
      object_type text not null,
      object_id text not null,
      sequence integer not null check (sequence > 0),
      body text not null,
      notify_url text,
      status text not null check (status in ('pending', 'succeeded', 'failed')),
      round integer not null default 1 check (round > 0),
      round_attempts integer not null default 0 check (round_attempts >= 0),
      attempt_count integer not null default 0 check (attempt_count >= 0),
      next_attempt_at timestamptz,
      last_attempt_at timestamptz,
      delivered_at timestamptz,
      created_at timestamptz not null,
      unique (object_id, sequence)
    )
  `,
  `
    create index webhook_events_app on webhook_events (app_id, id)
  `,
  `
    create index webhook_events_merchant on webhook_events (merchant_id, id)
  `,
  `
    create index webhook_events_status on webhook_events (status, created_at)
  `,
  `
    create table webhook_attempts (
      event_id text not null references webhook_events(id),
      attempt_number integer not null check (attempt_number > 0),
      round integer not null,
      url text,
      worker_id text not null,
      outcome text not null check (outcome in ('in_flight', 'succeeded', 'failed', 'abandoned')),
      status_code integer,
      latency_ms integer,
      response_excerpt text,
      error text,
      started_at timestamptz not null,
      finished_at timestamptz,
      primary key (event_id, attempt_number)
    )
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, STATEMENTS);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table webhook_attempts, webhook_events, webhook_sequences`.execute(db);
}
