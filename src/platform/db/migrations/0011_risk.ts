import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// Risk control (CONTRACT §8): list entries, versioned rules, the decision log, the outcomes the
// stream consumer saw (for automatic lists), and the new order fields of §2.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `alter table orders add column customer_id text`,
    `alter table orders add column device_id text`,
    // 'review' when the risk engine let the order through flagged (its settlement is held)
    `alter table orders add column risk_flag text check (risk_flag in ('review'))`,
    `alter table orders add column risk_decision_id text`,
    `create table risk_list_entries (
       id text primary key,
       list text not null check (list in ('block', 'allow', 'review')),
       type text not null check (type in ('payer', 'customer', 'device', 'ip', 'merchant')),
       value text not null,
       reason text,
       expires_at timestamptz,
       source text not null default 'operator',
       created_at timestamptz not null
     )`,
    `create index risk_list_entries_source on risk_list_entries (source)`,
    `create table risk_rules (
       id text not null,
       version integer not null,
       name text not null,
       scene text not null,
       expression text not null,
       action text not null check (action in ('reject', 'review')),
       mode text not null check (mode in ('active', 'shadow')),
       priority integer not null default 0,
       deleted boolean not null default false,
       created_at timestamptz not null,
       primary key (id, version)
     )`,
    `create table risk_decisions (
       id text primary key,
       scene text not null,
       merchant_id text,
       subjects text[] not null,
       decision text not null check (decision in ('accept', 'review', 'reject')),
       reasons jsonb not null,
       rules jsonb not null,
       inputs jsonb not null,
       latency_us integer not null,
       created_at timestamptz not null
     )`,
    `create index risk_decisions_created on risk_decisions (created_at desc)`,
    `create index risk_decisions_subjects on risk_decisions using gin (subjects)`,
    `create table risk_outcomes (
       event_id text not null,
       kind text not null,
       subject text not null,
       amount bigint not null,
       at timestamptz not null,
       primary key (event_id, kind, subject)
     )`,
    `create index risk_outcomes_subject on risk_outcomes (kind, subject, at)`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `drop table risk_outcomes`,
    `drop table risk_decisions`,
    `drop table risk_rules`,
    `drop table risk_list_entries`,
    `alter table orders drop column risk_decision_id`,
    `alter table orders drop column risk_flag`,
    `alter table orders drop column device_id`,
    `alter table orders drop column customer_id`,
  ]);
}
