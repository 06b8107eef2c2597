import { sql } from 'kysely';
import { inTransaction, type Db, type Queryable, type Tx } from '../platform/db/index.js';
import { subjectsOf, type ProfileEvent } from './events.js';

/**
 * The journal of applied events (profile_events) and its index by subject
 * (profile_event_subjects): the exactly-once key of the consumer and the history a recompute
 * replays. Consumers append in parallel under a shared barrier lock; a recompute takes it
 * exclusively at its two cut points (the end of the journal it folds, the switch), so at those
 * moments no append is in flight: every seq up to the journal's max is committed.
 */
export const JOURNAL_BARRIER = 'profiles:journal';

/** A stored state the consumer loaded with its journal row. */
export interface LoadedState {
  subject: string;
  tag: string;
  state: string;
}

/**
 * Journals one event and its subjects, reads the current state version and loads the states the
 * event touches, in ONE statement (its snapshot is taken after the caller's locks). Undefined
 * when the id was journalled before (a redelivery: nothing to do).
 */
export async function journalAndLoad(
  tx: Tx,
  event: ProfileEvent,
  now: Date,
  touched: { subjects: readonly string[]; tags: readonly string[] },
): Promise<{ version: number; states: LoadedState[] } | undefined> {
  const subjects = [...new Set(subjectsOf(event))];
  const journal = sql`
    insert into profile_events (id, type, at, event, recorded_at)
    values (${event.id}, ${event.type}, ${new Date(event.at)}, ${JSON.stringify(event)}, ${now})
    on conflict (id) do nothing
    returning seq`;
  const index =
    subjects.length === 0
      ? sql``
      : sql`, s as (
          insert into profile_event_subjects (subject, seq)
          select v.subject, j.seq
          from j cross join (values ${sql.join(subjects.map((s) => sql`(${s}::text)`))}) as v(subject)
        )`;
  const load =
    touched.subjects.length === 0 || touched.tags.length === 0
      ? sql`false`
      : sql`st.version = v.version
          and st.subject in (${sql.join(touched.subjects.map((s) => sql`${s}::text`))})
          and st.tag in (${sql.join(touched.tags.map((t) => sql`${t}::text`))})`;
  const result = await sql<{
    version: number;
    subject: string | null;
    tag: string | null;
    state: string | null;
  }>`
    with j as (${journal})${index},
    v as (select version from profile_state_versions where status = 'current')
    select v.version, st.subject, st.tag, st.state
    from j cross join v
    left join profile_states st on ${load}`.execute(tx);
  const first = result.rows[0];
  if (!first) return undefined;
  const states: LoadedState[] = [];
  for (const row of result.rows) {
    if (row.subject !== null && row.tag !== null && row.state !== null)
      states.push({ subject: row.subject, tag: row.tag, state: row.state });
  }
  return { version: Number(first.version), states };
}

/** Appends events in multi-row inserts, journal and subject index (a bench's or test's history). */
export async function appendJournal(
  db: Queryable,
  events: readonly ProfileEvent[],
  now: Date,
): Promise<void> {
  if (events.length === 0) return;
  const rows = await db
    .insertInto('profile_events')
    .values(
      events.map((e) => ({
        id: e.id,
        type: e.type,
        at: new Date(e.at),
        event: JSON.stringify(e),
        recorded_at: now,
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .returning(['seq', 'id'])
    .execute();
  const byId = new Map(events.map((e) => [e.id, e]));
  const index: { subject: string; seq: string }[] = [];
  for (const { seq, id } of rows) {
    const event = byId.get(id);
    if (event) for (const subject of new Set(subjectsOf(event))) index.push({ subject, seq: String(seq) });
  }
  if (index.length > 0) await db.insertInto('profile_event_subjects').values(index).execute();
}

/** The journal's end for a recompute's cut: events and (subject, event) pairs up to its max seq. */
export async function journalEnd(db: Queryable): Promise<{ upTo: string; events: number; pairs: number }> {
  const end = await db
    .selectFrom('profile_events')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.max('seq').as('last')])
    .executeTakeFirstOrThrow();
  const upTo = String(end.last ?? '0');
  const pairs = await db
    .selectFrom('profile_event_subjects')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('seq', '<=', upTo)
    .executeTakeFirstOrThrow();
  return { upTo, events: Number(end.n), pairs: Number(pairs.n) };
}

/** Journal rows after `after` in seq order (the catch-up, under the barrier). */
export async function journalPage(
  db: Queryable,
  after: string,
  limit: number,
): Promise<{ events: ProfileEvent[]; last: string | undefined }> {
  const rows = await db
    .selectFrom('profile_events')
    .select(['seq', 'event'])
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return { events: rows.map((r) => JSON.parse(r.event) as ProfileEvent), last: rows.at(-1)?.seq };
}

export interface ReplayRow {
  subject: string;
  seq: string;
  event: string;
}

const REPLAY_COLUMNS = sql`s.subject, s.seq, e.event`;

/**
 * (subject, event) pairs after the cursor in (subject, seq) order, up to seq `upTo`: a keyset
 * page (the embedded engine's replay, whose one session a long transaction would hold).
 */
export async function subjectPage(
  db: Db,
  after: { subject: string; seq: string },
  limit: number,
  upTo: string,
): Promise<ReplayRow[]> {
  const result = await sql<ReplayRow>`
    select ${REPLAY_COLUMNS}
    from profile_event_subjects s
    join profile_events e on e.seq = s.seq
    where (s.subject, s.seq) > (${after.subject}, ${after.seq}::bigint) and s.seq <= ${upTo}::bigint
    order by s.subject, s.seq
    limit ${limit}`.execute(db);
  return result.rows;
}

/**
 * The whole replay as ONE query read through a server-side cursor, `batch` rows per FETCH, in
 * its own transaction (PostgreSQL; the writer inserts on another pooled connection). One query
 * lets the planner scan both tables once, hash-join them and sort (spilling to disk, sequential
 * I/O) instead of an index step plus a random heap fetch per pair, which grows superlinearly
 * once the journal outgrows shared_buffers. cursor_tuple_fraction = 1: every row will be read, so
 * the planner must not pick the fast-start (index, nested loop) plan a cursor gets by default.
 * Fresh statistics first: the journal may just have grown by far more than autovacuum has seen.
 */
export async function streamReplayCursor(
  db: Db,
  upTo: string,
  batch: number,
  onRows: (rows: ReplayRow[]) => Promise<void>,
): Promise<void> {
  await sql`analyze profile_event_subjects, profile_events`.execute(db);
  await inTransaction(db, async (tx) => {
    await sql`set local cursor_tuple_fraction = 1`.execute(tx);
    // the hash of (subject, seq) fits in memory for millions of pairs; the sort spills anyway
    await sql`set local work_mem = '64MB'`.execute(tx);
    // compiling the plan costs more than it saves on this one-off scan
    await sql`set local jit = off`.execute(tx);
    await sql`
      declare profile_replay no scroll cursor for
      select ${REPLAY_COLUMNS}
      from profile_event_subjects s
      join profile_events e on e.seq = s.seq
      where s.seq <= ${upTo}::bigint
      order by s.subject, s.seq`.execute(tx);
    const fetch = () =>
      sql<ReplayRow>`fetch forward ${sql.raw(String(batch))} from profile_replay`.execute(tx);
    let next = fetch();
    for (;;) {
      const { rows } = await next;
      if (rows.length === 0) break;
      // the next batch comes over the wire while this one folds
      next = rows.length < batch ? Promise.resolve({ rows: [] }) : fetch();
      // a failed fold rolls back; the fetch in flight must not surface as an unhandled rejection
      next.catch(() => undefined);
      await onRows(rows);
    }
  });
}

/** The same stream as keyset pages of `limit` pairs, the next one loading while one folds. */
export async function streamReplayPages(
  db: Db,
  upTo: string,
  limit: number,
  onRows: (rows: ReplayRow[]) => Promise<void>,
): Promise<void> {
  let next = subjectPage(db, { subject: '', seq: '0' }, limit, upTo);
  for (;;) {
    const rows = await next;
    const last = rows.at(-1);
    if (!last) break;
    next = rows.length < limit ? Promise.resolve([]) : subjectPage(db, last, limit, upTo);
    next.catch(() => undefined);
    await onRows(rows);
  }
}
