import type { Kysely } from 'kysely';
import { CHANNEL_IDS_AT_0016, CREATE_CHANNEL_ID_DOMAIN } from './0016_channel_ids.js';
import { runEach } from './run-each.js';

// A new channel without a migration (issue 10): the channel columns that 0016's domain checked
// refer by foreign key to a `channels` table instead, which the app fills from the channels'
// registry after migrating, before serving (channels/store.ts). The database still refuses an id
// no registry ever had. It starts with the ids 0016 accepted, so the rows already there have their
// parent. The busy tables (orders, refunds, ledger, bills) keep the channel as unchecked text, as
// before: a foreign key there would lock the parent row (key share) on every insert.

const COLUMNS = ['channel_configs', 'onboarding_channels'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `create table channels (id text primary key check (id ~ '^[a-z][a-z0-9_]{0,31}$'))`,
    `insert into channels (id) values ${CHANNEL_IDS_AT_0016.map((id) => `('${id}')`).join(', ')}`,
    ...COLUMNS.flatMap((table) => [
      `alter table ${table} alter column channel type text`,
      `alter table ${table} add constraint ${table}_channel_fkey foreign key (channel) references channels (id)`,
    ]),
    `drop domain channel_id`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    CREATE_CHANNEL_ID_DOMAIN,
    ...COLUMNS.flatMap((table) => [
      `alter table ${table} drop constraint ${table}_channel_fkey`,
      `alter table ${table} alter column channel type channel_id`,
    ]),
    `drop table channels`,
  ]);
}
