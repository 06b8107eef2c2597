import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { inTransaction, migrateToLatest, pingDatabase } from '../../src/platform/db/index.js';
import { describeEachEngine } from '../support/db.js';

describeEachEngine('database', (ctx) => {
  it('answers a ping and reports its engine', async () => {
    await pingDatabase(ctx.database.db);
    expect(ctx.database.engine).toBe(ctx.engine);
  });

  it('is at the latest migration and migrating again is a no-op', async () => {
    expect(await migrateToLatest(ctx.database.db)).toEqual([]);
  });

  it('reads bigint fen as numbers', async () => {
    const { rows } = await sql<{ v: number }>`select 9007199254740991::int8 as v`.execute(ctx.database.db);
    expect(rows[0]?.v).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses a bigint a number cannot hold exactly', async () => {
    await expect(sql`select 9007199254740993::int8 as v`.execute(ctx.database.db)).rejects.toThrow(
      /safe integer/,
    );
  });

  it('commits on return and rolls back on throw', async () => {
    const { db } = ctx.database;
    const at = new Date('2026-01-01T00:00:00Z');
    await inTransaction(db, (tx) =>
      tx.insertInto('settings').values({ key: 'kept', value: '1', updated_at: at }).execute(),
    );
    await expect(
      inTransaction(db, async (tx) => {
        await tx.insertInto('settings').values({ key: 'lost', value: '1', updated_at: at }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const keys = await db.selectFrom('settings').select('key').where('key', 'in', ['kept', 'lost']).execute();
    expect(keys.map((k) => k.key)).toEqual(['kept']);
  });
});

describe('migrations', () => {
  it('are a static list so the built server needs no source files', async () => {
    const { migrationProvider } = await import('../../src/platform/db/migrations/index.js');
    expect(Object.keys(await migrationProvider.getMigrations())).toContain('0001_foundation');
  });
});
