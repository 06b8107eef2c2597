import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// An institution (a bank acting as the channels' service provider for the merchants it signs
// itself) holds channel configuration too; merchants without a service provider inherit it.
const OWNER_CHECK = 'channel_configs_owner_type_check';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `alter table channel_configs drop constraint ${OWNER_CHECK}`,
    `alter table channel_configs add constraint ${OWNER_CHECK}
       check (owner_type in ('institution', 'service_provider', 'merchant'))`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `delete from channel_configs where owner_type = 'institution'`,
    `alter table channel_configs drop constraint ${OWNER_CHECK}`,
    `alter table channel_configs add constraint ${OWNER_CHECK}
       check (owner_type in ('service_provider', 'merchant'))`,
  ]);
}
