import type { Kysely } from 'kysely';
import { CHANNEL_IDS } from '../../../core/channel-ids.js';
import { runEach } from './run-each.js';

// One list of channel ids in the database (issue 10): a `channel_id` domain whose check is
// derived from core's CHANNEL_IDS replaces the copies that 0003 wrote into two column checks.
// A channel added later extends the domain with a migration of its own that calls
// `replaceChannelIdCheck` (it reads the list then current, so old and new databases agree).

const COLUMNS = [
  ['channel_configs', 'channel_configs_channel_check'],
  ['onboarding_channels', 'onboarding_channels_channel_check'],
] as const;

const inList = (ids: readonly string[]) => `(${ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ')})`;

/** Statements that make the `channel_id` domain accept exactly `ids` (existing rows are checked). */
export function replaceChannelIdCheck(ids: readonly string[] = CHANNEL_IDS): string[] {
  return [
    `alter domain channel_id drop constraint if exists channel_id_known`,
    `alter domain channel_id add constraint channel_id_known check (value in ${inList(ids)})`,
  ];
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `create domain channel_id as text constraint channel_id_known check (value in ${inList(CHANNEL_IDS)})`,
    ...COLUMNS.flatMap(([table, check]) => [
      `alter table ${table} drop constraint ${check}`,
      `alter table ${table} alter column channel type channel_id`,
    ]),
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    ...COLUMNS.flatMap(([table, check]) => [
      `alter table ${table} alter column channel type text`,
      `alter table ${table} add constraint ${check} check (channel in ${inList(CHANNEL_IDS)})`,
    ]),
    `drop domain channel_id`,
  ]);
}
