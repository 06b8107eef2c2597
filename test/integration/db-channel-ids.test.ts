import { sql, type Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { CHANNEL_IDS } from '../../src/core/channel-ids.js';
import { inTransaction } from '../../src/platform/db/index.js';
import { replaceChannelIdCheck } from '../../src/platform/db/migrations/0016_channel_ids.js';
import { describeEachEngine } from '../support/db.js';

/** Migration 0016: the database's channel ids are core's CHANNEL_IDS, checked in one place (the channel_id domain). */

async function domainIds(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ def: string }>`
    select pg_get_constraintdef(c.oid) as def
      from pg_constraint c join pg_type t on c.contypid = t.oid
     where t.typname = 'channel_id' and t.typnamespace = current_schema()::regnamespace`.execute(db);
  expect(rows).toHaveLength(1);
  return [...rows[0]!.def.matchAll(/'([a-z0-9_]+)'/g)].map((m) => m[1]!);
}

const insertConfig = (db: Kysely<unknown>, channel: string) =>
  sql`insert into channel_configs (owner_id, owner_type, channel, created_at, updated_at)
      values (${`mch_${channel}`}, 'merchant', ${channel}, now(), now())`.execute(db);

describeEachEngine('channel ids in the database', (ctx) => {
  const db = () => ctx.database.db as unknown as Kysely<unknown>;

  it('the channel_id domain accepts exactly CHANNEL_IDS', async () => {
    expect((await domainIds(db())).sort()).toEqual([...CHANNEL_IDS].sort());
  });

  it('channel configurations and onboarding channels take a known id and refuse any other', async () => {
    for (const channel of CHANNEL_IDS) await insertConfig(db(), channel);
    await expect(insertConfig(db(), 'paypal')).rejects.toThrow(/channel_id/);
    const { rows } = await sql<{ table_name: string; domain_name: string | null }>`
      select table_name, domain_name from information_schema.columns
       where table_schema = current_schema() and column_name = 'channel'
         and table_name in ('channel_configs', 'onboarding_channels')
       order by table_name`.execute(db());
    expect(rows).toEqual([
      { table_name: 'channel_configs', domain_name: 'channel_id' },
      { table_name: 'onboarding_channels', domain_name: 'channel_id' },
    ]);
  });

  it('a later channel extends the one check (replaceChannelIdCheck), keeping the rows already there', async () => {
    await expect(
      inTransaction(ctx.database.db, async (tx) => {
        const t = tx as unknown as Kysely<unknown>;
        for (const statement of replaceChannelIdCheck([...CHANNEL_IDS, 'newpay']))
          await sql.raw(statement).execute(t);
        await insertConfig(t, 'newpay');
        expect(await domainIds(t)).toContain('newpay');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await expect(insertConfig(db(), 'newpay')).rejects.toThrow(/channel_id/);
  });
});
