import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { Mutex } from './mutex.js';
import { runPrepared } from './pglite-prepared.js';
import { isMarkedPrepared } from './prepared.js';
import { CurrentSchemaIntrospector } from './schema-introspector.js';

/**
 * Kysely dialect for PGlite. PGlite is one PostgreSQL backend: every caller shares one session.
 * So the driver hands out that single connection under a FIFO lock, and a transaction keeps the
 * lock from BEGIN to COMMIT/ROLLBACK. Without the lock, an autocommit write from one caller
 * issued while another caller is inside BEGIN…ROLLBACK would join that transaction and vanish
 * with it (the race a test in test/integration/db-pglite-race.test.ts reproduces).
 */
export class PGliteDialect implements Dialect {
  constructor(private readonly pglite: PGlite) {}

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.pglite);
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  private readonly lock = new Mutex();
  private readonly connection: PGliteConnection;
  private releases = new Map<PGliteConnection, () => void>();

  constructor(private readonly pglite: PGlite) {
    this.connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {
    await this.pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.lock.acquire();
    this.releases.set(this.connection, release);
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const release = this.releases.get(connection as PGliteConnection);
    this.releases.delete(connection as PGliteConnection);
    release?.();
  }

  async destroy(): Promise<void> {
    const release = await this.lock.acquire(); // let running work finish first
    try {
      if (!this.pglite.closed) await this.pglite.close();
    } finally {
      release();
    }
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (isMarkedPrepared(compiled.sql)) return runPrepared<R>(this.pglite, compiled.sql, compiled.parameters);
    const result = await this.pglite.query<R>(compiled.sql, [...compiled.parameters]);
    // Kysely reads numAffectedRows only for insert/update/delete results.
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite');
  }
}
