import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// Risk control, continued (issue 12): a refund the risk engine let through flagged keeps the flag
// like an order does (orders.risk_flag, 0011); and the rule sets decisions were made with, so
// the decision log stores only which rules fired (or failed) and a reference to the set.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `alter table refunds add column risk_flag text check (risk_flag in ('review'))`,
    `alter table refunds add column risk_decision_id text`,
    `create table risk_rule_sets (
       id text primary key,
       scene text not null,
       rules jsonb not null,
       created_at timestamptz not null
     )`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `drop table risk_rule_sets`,
    `alter table refunds drop column risk_decision_id`,
    `alter table refunds drop column risk_flag`,
  ]);
}
