import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, sql, type Transaction } from 'kysely';
import { migrationProvider } from './migrations/index.js';
import { PGliteDialect } from './pglite-dialect.js';
import { namePreparedStatements } from './prepared.js';
import { CurrentSchemaPostgresDialect } from './schema-introspector.js';
import type { Tables } from './tables.js';

export type { Tables } from './tables.js';
export { asStoredJsonb } from './jsonb.js';
export { prepared } from './prepared.js';
export type Db = Kysely<Tables>;
export type Tx = Transaction<Tables>;
/** Anything that runs queries: the database itself or an open transaction. */
export type Queryable = Kysely<Tables>;
export { newestFirst, type PageWindow } from './keyset.js';

export type Engine = 'pglite' | 'postgres';

export interface Database {
  db: Db;
  engine: Engine;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… ; unset means embedded PGlite. */
  url?: string | undefined;
  /** PGlite data folder; unset means in memory (tests). */
  dataDir?: string | undefined;
  /** PostgreSQL schema to use (created if missing); lets test files run side by side. */
  schema?: string | undefined;
  poolSize?: number;
}

const INT8_OID = 20;

/** bigint columns hold fen; read them as numbers, refusing any value a number can't hold exactly. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`int8 value ${text} exceeds the safe integer range`);
  return value;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.schema, options.poolSize ?? 10);
  return openPGlite(options.dataDir);
}

// Each engine's driver loads only when it is the one opened: an embedded start never pays for `pg`,
// a production one never for PGlite's WebAssembly.
async function openPGlite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) mkdirSync(path.dirname(dataDir), { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    parsers: { [INT8_OID]: parseInt8 },
  });
  const db = new Kysely<Tables>({ dialect: new PGliteDialect(pglite) });
  return { db, engine: 'pglite', close: () => db.destroy() };
}

async function openPostgres(url: string, schema: string | undefined, max: number): Promise<Database> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid schema name ${schema}`);
  }
  const { default: pg } = await import('pg');
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on('error', () => undefined); // an idle client's lost connection is replaced on next use
  pool.on('connect', (client) => namePreparedStatements(client));
  const db = new Kysely<Tables>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
  return { db, engine: 'postgres', close: () => db.destroy() };
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  // Name the schema: Kysely would otherwise find another schema's migration table on a shared server.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? 'public';
  if (await upToDate(db, schema)) return [];
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * One read instead of the Migrator's table checks and lock on every start: true when every known
 * migration is recorded. Anything else (a fresh database, a new migration) goes through the Migrator.
 */
async function upToDate(db: Db, schema: string): Promise<boolean> {
  const known = Object.keys(await migrationProvider.getMigrations());
  const table = `${schema}.kysely_migration`;
  const found = await sql<{ t: string | null }>`select to_regclass(${table})::text as t`.execute(db);
  if (!found.rows[0]?.t) return false;
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(db);
  const applied = new Set(rows.map((r) => r.name));
  return known.every((name) => applied.has(name));
}

/** Runs fn in one transaction: committed if it returns, rolled back if it throws. */
export function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}

/**
 * Serialises callers on a named key until the caller's transaction ends (a no-op outside one):
 * the guard for "read, then insert if missing" steps that a unique index cannot cover alone.
 */
export async function lockKey(tx: Queryable, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(tx);
}

/** lockKey for several keys in one round trip, taken in the order given (sort them: no deadlock). */
export async function lockKeys(tx: Queryable, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const locks = keys.map((key) => sql`pg_advisory_xact_lock(hashtext(${key}))`);
  await sql`select ${sql.join(locks)}`.execute(tx);
}

export async function pingDatabase(db: Db): Promise<void> {
  await db.selectNoFrom((eb) => eb.val(1).as('ok')).execute();
}
