import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// One check of the channel ids (issue 10): a `channel_id` domain replaced the copies that 0003
// wrote into two column checks. Migration 0023 replaced the domain with the `channels` table,
// which the app fills from the channels' registry, so the ids here are the ones known then,
// frozen like every migration's content (0023 seeds the same ids, so existing rows keep a parent).

/** the channel ids this migration's domain accepted (and 0023's table starts with) */
export const CHANNEL_IDS_AT_0016 = [
  'wechatpay',
  'alipay',
  'unionpay',
  'qqwallet',
  'jdpay',
  'baiduwallet',
] as const;

const COLUMNS = [
  ['channel_configs', 'channel_configs_channel_check'],
  ['onboarding_channels', 'onboarding_channels_channel_check'],
] as const;

const IN_LIST = `(${CHANNEL_IDS_AT_0016.map((id) => `'${id}'`).join(', ')})`;

/** the domain as this migration created it (0023's down restores it) */
export const CREATE_CHANNEL_ID_DOMAIN = `create domain channel_id as text constraint channel_id_known check (value in ${IN_LIST})`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    CREATE_CHANNEL_ID_DOMAIN,
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
      `alter table ${table} add constraint ${check} check (channel in ${IN_LIST})`,
    ]),
    `drop domain channel_id`,
  ]);
}
