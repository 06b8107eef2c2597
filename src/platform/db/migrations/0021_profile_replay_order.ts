import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// User profiles (issue 13): a recompute replays the journal subject by subject, so it can fold,
// write and drop each subject's state as it finishes (memory bounded by one subject, not by the
// history). profile_event_subjects indexes the journal by the subjects each event names; the
// consumer writes its rows with the journal row. Subjects and tags sort in "C" collation (UTF-8
// byte order = code-point order, the digest's order), so the replay, the state rows and the
// digest all stream in one order. No foreign key to profile_events: the row is written in the
// same statement as its event and checking it would cost every consumer transaction.

const STATEMENTS: string[] = [
  `
    create table profile_event_subjects (
      subject text collate "C" not null,
      seq bigint not null,
      primary key (subject, seq)
    )
  `,
  // the journal written before this migration: subjectsOf (events.ts) in SQL
  `
    insert into profile_event_subjects (subject, seq)
    select distinct s.subject, j.seq
    from (select seq, event::jsonb as e from profile_events) j
    cross join lateral (
      values
        (case when coalesce(j.e ->> 'customer_id', '') <> ''
              then (j.e ->> 'merchant_id') || ':' || (j.e ->> 'customer_id') end),
        (case when coalesce(j.e ->> 'payer_id', '') <> ''
                   and jsonb_typeof(j.e -> 'fields' -> 'channel') = 'string'
                   and j.e -> 'fields' ->> 'channel' <> ''
              then (j.e -> 'fields' ->> 'channel') || ':' || (j.e ->> 'payer_id') end)
    ) as s(subject)
    where s.subject is not null
  `,
  `
    alter table profile_states
      alter column subject type text collate "C",
      alter column tag type text collate "C"
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, STATEMENTS);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    'drop table profile_event_subjects',
    'alter table profile_states alter column subject type text, alter column tag type text',
  ]);
}
