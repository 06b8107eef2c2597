import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/index.js';

/**
 * CPU seconds the PostgreSQL backends of one client have used, when the server runs on this
 * machine (/proc readable): with the client's own CPU, a load-independent cost of a run. The
 * client tags its connections with `application_name`; undefined when the server is remote.
 */

export function withApplicationName(url: string, name: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}application_name=${name}`;
}

/** utime + stime of a process, in seconds (clock ticks of 1/100 s on Linux). */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export async function backendCpuSeconds(db: Db, name: string): Promise<number | undefined> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where application_name = ${name}`.execute(db);
  let total = 0;
  for (const { pid } of rows) {
    const seconds = processCpuSeconds(pid);
    if (seconds === undefined) return undefined;
    total += seconds;
  }
  return rows.length > 0 ? total : undefined;
}
