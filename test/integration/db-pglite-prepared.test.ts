import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, prepared, type Database } from '../../src/platform/db/index.js';
import { createTestDatabase } from '../support/db.js';

// PGlite runs prepared()-marked statements by name (src/platform/db/pglite-prepared.ts): the
// results, errors and affected rows must be those of PGlite's own query() for the same text.
describe('PGlite named prepared statements', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    await sql`create table prep (id text primary key, n bigint, doc jsonb, at timestamptz, flag boolean)`.execute(
      database.db,
    );
  });
  afterAll(() => database.close());

  const insert = (id: string, n: number | null) =>
    CompiledQuery.raw(
      `insert into prep (id, n, doc, at, flag) values ($1, $2, $3, $4, $5) returning *, n * 2 as twice`,
      [id, n, JSON.stringify({ b: [1, 'x'], a: null }), new Date('2026-12-05T01:02:03.456Z'), true],
    );

  it('returns the same rows, types and affected rows as an unmarked statement, every time', async () => {
    const { db } = database;
    const plain = await db.executeQuery<Record<string, unknown>>(insert('a', 7));
    const first = await db.executeQuery(prepared(insert('b', 7)));
    const again = await db.executeQuery(prepared(insert('c', null)));
    expect(first.rows).toEqual([{ ...plain.rows[0], id: 'b' }]);
    expect(again.rows).toEqual([{ ...plain.rows[0], id: 'c', n: null, twice: null }]);
    expect(first.numAffectedRows).toBe(plain.numAffectedRows);
    const update = CompiledQuery.raw(`update prep set flag = $1 where id <> $2`, [false, 'zz']);
    expect((await db.executeQuery(prepared(update))).numAffectedRows).toBe(3n);
    expect((await db.executeQuery(prepared(update))).numAffectedRows).toBe(3n);
    // parsed once each, by name: the insert and the update
    const named = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db);
    expect(named.rows.map((r) => r.statement.trim().split(' ')[3])).toEqual(['insert', 'update']);
  });

  it('raises the database error (a duplicate key) and keeps working after it, in and out of transactions', async () => {
    const { db } = database;
    await expect(db.executeQuery(prepared(insert('a', 1)))).rejects.toMatchObject({ code: '23505' });
    await expect(
      inTransaction(db, async (tx) => {
        await tx.executeQuery(prepared(insert('in-tx', 1)));
        await tx.executeQuery(prepared(insert('in-tx', 1)));
      }),
    ).rejects.toMatchObject({ code: '23505' });
    await inTransaction(db, (tx) => tx.executeQuery(prepared(insert('d', 2))));
    const ids = await db.executeQuery<{ id: string }>(
      prepared(CompiledQuery.raw(`select id from prep where n is not null or id = $1 order by id`, ['c'])),
    );
    expect(ids.rows.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
