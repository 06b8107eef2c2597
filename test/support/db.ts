import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { registerChannelIds } from '../../src/channels/index.js';
import { migrateToLatest, openDatabase, type Database, type Engine } from '../../src/platform/db/index.js';
import { requireService } from './services.js';

/**
 * Database-backed suites run on both engines: PGlite always, PostgreSQL when TEST_DATABASE_URL is
 * set. Each call gets its own in-memory PGlite or its own PostgreSQL schema, so test files run in
 * parallel without seeing each other's rows.
 */
export async function createTestDatabase(engine: Engine): Promise<Database> {
  const url = engine === 'postgres' ? process.env.TEST_DATABASE_URL : undefined;
  const schema = engine === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const database = await openDatabase({ url, schema, poolSize: 12 });
  await migrateToLatest(database.db);
  await registerChannelIds(database.db); // as the CLI does (cli/migrate.ts)
  if (schema) {
    const close = database.close;
    database.close = async () => {
      const { sql } = await import('kysely');
      await sql.raw(`drop schema ${schema} cascade`).execute(database.db);
      await close();
    };
  }
  return database;
}

export const ENGINES: Engine[] = ['pglite', 'postgres'];

/** describe() once per engine, with a migrated database ready in `ctx.database`. */
export function describeEachEngine(
  name: string,
  body: (ctx: { database: Database; engine: Engine }) => void,
) {
  for (const engine of ENGINES) {
    const available = engine === 'pglite' || requireService('TEST_DATABASE_URL');
    describe.skipIf(!available)(`${name} [${engine}]`, () => {
      const ctx = { engine } as { database: Database; engine: Engine };
      beforeAll(async () => {
        ctx.database = await createTestDatabase(engine);
      });
      afterAll(async () => {
        await ctx.database?.close();
      });
      body(ctx);
    });
  }
}
