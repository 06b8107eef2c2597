import { createHash } from 'node:crypto';
import type { CompiledQuery } from 'kysely';

/**
 * Named prepared statements for a few hot-path statements (the payment notification's lock and
 * UPDATE): on PostgreSQL each connection parses and plans such a statement once and later runs
 * only bind + execute, so neither its text (kilobytes with its CTEs) nor its planning is paid
 * again. Only for statements whose text is fixed (a handful of variants): each distinct text stays
 * prepared on every pooled connection for the connection's life. PGlite's driver prepares marked
 * statements the same way on its one session (pglite-prepared.ts).
 */

const MARK = '/* prepared */ ';

/** The compiled query, marked to run as a named prepared statement on PostgreSQL. */
export function prepared<R>(compiled: CompiledQuery<R>): CompiledQuery<R> {
  return { ...compiled, sql: MARK + compiled.sql };
}

/** Whether a statement's text was marked by prepared() (the PGlite driver prepares it too). */
export function isMarkedPrepared(text: string): boolean {
  return text.startsWith(MARK);
}

const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `jp_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
    names.set(text, name);
  }
  return name;
}

interface QueryClient {
  query: (...args: never[]) => unknown;
}

/** Makes a pooled `pg` client run marked statements by name (the pool's 'connect' event). */
export function namePreparedStatements(client: QueryClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((first: unknown, ...rest: unknown[]) => {
    if (typeof first === 'string' && first.startsWith(MARK) && Array.isArray(rest[0]))
      return query({ name: statementName(first), text: first, values: rest[0] }, ...rest.slice(1));
    return query(first, ...rest);
  }) as QueryClient['query'];
}
