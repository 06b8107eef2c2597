import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// User profiles, stream wiring (issue 13): the journal of every event the profile consumer
// applied. Its row and the state it produced are written in one transaction (the id is the
// exactly-once key), and a recompute replays it in `seq` order: the consumer appends under one
// lock, so `seq` order is commit order and a recompute can catch up from a cursor.

const STATEMENTS: string[] = [
  `
    create table profile_events (
      seq bigserial primary key,
      id text not null unique,
      type text not null,
      at timestamptz not null,
      event text not null,
      recorded_at timestamptz not null
    )
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, STATEMENTS);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, ['drop table profile_events']);
}
