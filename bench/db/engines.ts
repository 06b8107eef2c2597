import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase, type Database, type Db } from '../../src/platform/db/index.js';
import { WORKERS, kyselyTx, rawTx, seed, type Seed } from './workload.js';

/** A database under test; several engines may write to one store (Kysely and raw pg on PostgreSQL). */
export interface Store {
  label: string;
  db: Db;
  /** transactions that committed, warmups included: what verify() expects to find */
  committed: number;
  close(): Promise<void>;
}

export interface Engine {
  name: string;
  store: Store;
  tx(worker: number): Promise<void>;
}

/** Migrates and seeds; on failure releases everything, so a broken setup leaves nothing behind. */
async function prepare(
  database: Database,
  label: string,
  cleanup: () => Promise<void>,
): Promise<[Store, Seed]> {
  const close = async () => {
    await database.close();
    await cleanup();
  };
  try {
    await migrateToLatest(database.db);
    const s = await seed(database.db);
    return [{ label, db: database.db, committed: 0, close }, s];
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

export async function pgliteMemory(): Promise<Engine[]> {
  const [store, s] = await prepare(await openDatabase({}), 'pglite (memory)', async () => undefined);
  return [{ name: 'pglite-memory', store, tx: (w) => kyselyTx(store.db, s, w) }];
}

/** On a temp data dir on the real disk, as embedded mode runs by default. */
export async function pgliteDisk(): Promise<Engine[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'juhepay-bench-'));
  const remove = async () => rmSync(dir, { recursive: true, force: true });
  const database = await openDatabase({ dataDir: path.join(dir, 'pgdata') }).catch(async (error: unknown) => {
    await remove();
    throw error;
  });
  const [store, s] = await prepare(database, `pglite (disk ${dir})`, remove);
  return [{ name: 'pglite-disk', store, tx: (w) => kyselyTx(store.db, s, w) }];
}

/** A fresh schema on the server, dropped afterwards; Kysely and raw pg pools both have WORKERS clients. */
export async function postgres(url: string): Promise<Engine[]> {
  const schema = `bench_${Date.now().toString(36)}_${process.pid}`;
  const dropSchema = async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`drop schema if exists ${schema} cascade`);
    } finally {
      await admin.end();
    }
  };
  const database = await openDatabase({ url, schema, poolSize: WORKERS });
  const pool = new pg.Pool({ connectionString: url, max: WORKERS, options: `-c search_path=${schema}` });
  pool.on('error', () => undefined);
  const [store, s] = await prepare(database, `postgres (schema ${schema})`, async () => {
    await pool.end();
    await dropSchema();
  });
  return [
    { name: 'postgres-kysely', store, tx: (w) => kyselyTx(store.db, s, w) },
    { name: 'postgres-raw-pg', store, tx: (w) => rawTx(pool, s, w) },
  ];
}

/** Server facts that decide what a commit costs (fsync, synchronous_commit). */
export async function describePostgres(db: Db): Promise<string> {
  const { rows } = await sql<{ v: string; f: string; s: string }>`
    select current_setting('server_version') as v, current_setting('fsync') as f,
           current_setting('synchronous_commit') as s`.execute(db);
  const r = rows[0];
  return r ? `PostgreSQL ${r.v}, fsync=${r.f}, synchronous_commit=${r.s}` : 'PostgreSQL (settings unknown)';
}
