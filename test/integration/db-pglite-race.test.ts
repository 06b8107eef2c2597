import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, type Database } from '../../src/platform/db/index.js';
import { createTestDatabase } from '../support/db.js';

// The race that made us write our own dialect: an autocommit write issued while another caller
// is inside a transaction that later rolls back must survive the rollback.
describe('PGlite dialect serialises callers', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    await sql`create table race (id text primary key)`.execute(database.db);
  });
  afterAll(() => database.close());

  it('keeps an autocommit write made during another caller’s rolled-back transaction', async () => {
    const { db } = database;
    let insideTx!: () => void;
    const txStarted = new Promise<void>((resolve) => (insideTx = resolve));

    const rolledBack = inTransaction(db, async (tx) => {
      await sql`insert into race values ('in-tx')`.execute(tx);
      insideTx();
      // give the other caller every chance to run while this transaction is open
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      throw new Error('roll back');
    }).catch((e: Error) => e.message);

    await txStarted;
    const autocommit = sql`insert into race values ('autocommit')`.execute(db);

    expect(await rolledBack).toBe('roll back');
    await autocommit;
    const rows = await db
      .selectFrom('race' as never)
      .select(sql<string>`id`.as('id'))
      .execute();
    expect(rows.map((r) => r.id)).toEqual(['autocommit']);
  });

  it('runs many concurrent transactions without losing or mixing writes', async () => {
    const { db } = database;
    await sql`create table counter (n int not null)`.execute(db);
    await sql`insert into counter values (0)`.execute(db);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        inTransaction(db, async (tx) => {
          await sql`update counter set n = n + 1`.execute(tx);
          if (i % 5 === 0) throw new Error('abort');
        }).catch(() => undefined),
      ),
    );
    const { rows } = await sql<{ n: number }>`select n from counter`.execute(db);
    expect(rows[0]?.n).toBe(40);
  });
});
