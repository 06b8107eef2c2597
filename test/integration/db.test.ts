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

  it('lists only its own schema’s tables to the Migrator, so another schema dropped meanwhile cannot fail it', async () => {
    const { db, engine } = ctx.database;
    const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([rows[0]!.schema]));
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['kysely_migration', 'orders']));
    if (engine === 'postgres') {
      // a table in a schema of its own is not listed (Kysely's own introspector would list it)
      const other = `${rows[0]!.schema}_other`;
      await sql.raw(`create schema ${other}; create table ${other}.orders (id text)`).execute(db);
      try {
        const again = await db.introspection.getTables();
        expect(again.map((t) => t.name)).not.toContain('kysely_migration');
        expect(again.some((t) => t.schema === other)).toBe(false);
      } finally {
        await sql.raw(`drop schema ${other} cascade`).execute(db);
      }
    }
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
