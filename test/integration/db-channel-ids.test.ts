import { sql, type Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { CHANNEL_IDS, registerChannelIds, type ChannelId } from '../../src/channels/index.js';
import { inTransaction } from '../../src/platform/db/index.js';
import * as m0023 from '../../src/platform/db/migrations/0023_channels_table.js';
import { describeEachEngine } from '../support/db.js';

/**
 * Migration 0023: the database's channel ids are the registry's, in the `channels` table that the
 * app fills after migrating (registerChannelIds); the channel columns refer to it by foreign key.
 */

const insertConfig = (db: Kysely<unknown>, channel: string) =>
  sql`insert into channel_configs (owner_id, owner_type, channel, created_at, updated_at)
      values (${`mch_${channel}`}, 'merchant', ${channel}, now(), now())`.execute(db);

const channelIds = async (db: Kysely<unknown>) =>
  (await sql<{ id: string }>`select id from channels order by id`.execute(db)).rows.map((r) => r.id);

describeEachEngine('channel ids in the database', (ctx) => {
  const db = () => ctx.database.db as unknown as Kysely<unknown>;

  it('the channels table holds exactly the registry ids, and registering again changes nothing', async () => {
    expect(await channelIds(db())).toEqual([...CHANNEL_IDS].sort());
    await registerChannelIds(ctx.database.db);
    expect(await channelIds(db())).toEqual([...CHANNEL_IDS].sort());
  });

  it('channel configurations and onboarding channels refer to it by foreign key, nothing else checks the id', async () => {
    for (const channel of CHANNEL_IDS) await insertConfig(db(), channel);
    await expect(insertConfig(db(), 'paypal')).rejects.toThrow(/channel_configs_channel_fkey/);
    const { rows } = await sql<{ table: string; def: string }>`
      select c.conrelid::regclass::text as table, pg_get_constraintdef(c.oid) as def
        from pg_constraint c
       where c.connamespace = current_schema()::regnamespace
         and (c.confrelid = 'channels'::regclass or pg_get_constraintdef(c.oid) like '%wechatpay%')
       order by 1`.execute(db());
    expect(rows).toEqual([
      { table: 'channel_configs', def: 'FOREIGN KEY (channel) REFERENCES channels(id)' },
      { table: 'onboarding_channels', def: 'FOREIGN KEY (channel) REFERENCES channels(id)' },
    ]);
    const domains = await sql`select 1 from pg_type where typname = 'channel_id'
      and typnamespace = current_schema()::regnamespace`.execute(db());
    expect(domains.rows).toEqual([]);
  });

  it('a new registry id is accepted once registered, with no migration', async () => {
    await expect(
      inTransaction(ctx.database.db, async (tx) => {
        const t = tx as unknown as Kysely<unknown>;
        await expect(insertConfig(t, 'newpay')).rejects.toThrow(/channel_configs_channel_fkey/);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await expect(
      inTransaction(ctx.database.db, async (tx) => {
        await registerChannelIds(tx, ['newpay' as ChannelId]);
        await insertConfig(tx as unknown as Kysely<unknown>, 'newpay');
        expect(await channelIds(tx as unknown as Kysely<unknown>)).toContain('newpay');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await channelIds(db())).not.toContain('newpay');
  });

  it('0023 goes down to the channel_id domain and up again with the rows in place', async () => {
    await expect(
      inTransaction(ctx.database.db, async (tx) => {
        const t = tx as unknown as Kysely<unknown>;
        await m0023.down(t);
        const { rows } = await sql<{
          channel: string;
        }>`select channel from channel_configs order by channel`.execute(t);
        expect(rows.map((r) => r.channel)).toEqual([...CHANNEL_IDS].sort());
        await sql`savepoint refused`.execute(t); // a refused insert aborts the transaction up to here
        await expect(insertConfig(t, 'paypal')).rejects.toThrow(/channel_id/);
        await sql`rollback to savepoint refused`.execute(t);
        await m0023.up(t);
        expect(await channelIds(t)).toEqual([...CHANNEL_IDS].sort());
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
  });
});
