import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// Plates (码牌): batches as print runs, plate numbers within a batch, and the binding invariant.
const STATEMENTS: string[] = [
  `
    create table plate_batches (
      id text primary key,
      count integer not null check (count > 0),
      amount bigint check (amount is null or (amount > 0 and amount <= 100000000)),
      created_by text not null,
      created_at timestamptz not null
    )
  `,
  // plates created before this migration (the demo's) get a batch row, so the foreign key holds
  `
    insert into plate_batches (id, count, amount, created_by, created_at)
    select batch_id, count(*), max(amount), 'migration', min(created_at) from plates group by batch_id
  `,
  `
    alter table plates
      add column seq integer check (seq is null or seq > 0),
      add column updated_at timestamptz,
      add column bound_at timestamptz,
      add constraint plates_batch_fk foreign key (batch_id) references plate_batches(id),
      add constraint plates_batch_seq unique (batch_id, seq),
      add constraint plates_amount_max check (amount is null or amount <= 100000000),
      add constraint plates_store_needs_merchant check (store_id is null or merchant_id is not null),
      add constraint plates_status_binding check (
        (status <> 'blank' or merchant_id is null) and (status <> 'bound' or merchant_id is not null)
      )
  `,
  `
    create index plates_merchant on plates (merchant_id) where merchant_id is not null
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, STATEMENTS);
}
