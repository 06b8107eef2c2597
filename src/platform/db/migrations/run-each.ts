import { sql, type Kysely } from 'kysely';

/** PGlite's extended protocol takes one statement per query, so DDL runs one statement at a time. */
export async function runEach(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
