import { lockKeys, type Queryable, type Tx } from '../platform/db/index.js';
import type { TagState } from './aggregate.js';
import { compareCodePoints, parseTagState, serializeTagState } from './canonical.js';
import type { ProfileEvent } from './events.js';
import { applyEvent, touchedBy, type CompiledTags, type ProfileBook } from './profile-book.js';

/** The state version readers and the incremental consumer use. */
export async function currentStateVersion(db: Queryable): Promise<number> {
  const row = await db
    .selectFrom('profile_state_versions')
    .select('version')
    .where('status', '=', 'current')
    .executeTakeFirstOrThrow();
  return row.version;
}

/** A subject's stored tag states in a version (all its tags, or those named). */
export async function loadSubject(
  db: Queryable,
  version: number,
  subject: string,
  tags?: readonly string[],
): Promise<Map<string, TagState>> {
  let query = db
    .selectFrom('profile_states')
    .select(['tag', 'state'])
    .where('version', '=', version)
    .where('subject', '=', subject);
  if (tags) {
    if (tags.length === 0) return new Map();
    query = query.where('tag', 'in', tags);
  }
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.tag, parseTagState(r.state)]));
}

/** Writes states back in their canonical text; an empty state is no row. */
export async function saveSubject(
  db: Queryable,
  version: number,
  subject: string,
  states: ReadonlyMap<string, TagState>,
  now: Date,
): Promise<void> {
  await saveBook(db, version, new Map([[subject, states]]), now);
}

/**
 * The lock of one subject's read-modify-write, even before its first row exists. Not per version:
 * only consumers write the current version, and a recompute's catch-up writes the next one while
 * it holds the journal barrier exclusively, when no consumer runs.
 */
export function subjectLockKey(subject: string): string {
  return `profile:${subject}`;
}

/** Every state of a (small) book in one upsert and one delete: the consumer's round trips. */
export async function saveBook(
  db: Queryable,
  version: number,
  book: ReadonlyMap<string, ReadonlyMap<string, TagState>>,
  now: Date,
): Promise<void> {
  const rows: { version: number; subject: string; tag: string; state: string; updated_at: Date }[] = [];
  const empty: { subject: string; tag: string }[] = [];
  for (const [subject, states] of book) {
    for (const [tag, state] of states) {
      if (state.size === 0) empty.push({ subject, tag });
      else rows.push({ version, subject, tag, state: serializeTagState(state), updated_at: now });
    }
  }
  if (rows.length > 0) {
    await db
      .insertInto('profile_states')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['version', 'subject', 'tag']).doUpdateSet({
          state: (eb) => eb.ref('excluded.state'),
          updated_at: (eb) => eb.ref('excluded.updated_at'),
        }),
      )
      .execute();
  }
  if (empty.length > 0) {
    await db
      .deleteFrom('profile_states')
      .where('version', '=', version)
      .where((eb) => eb.or(empty.map((e) => eb.and([eb('subject', '=', e.subject), eb('tag', '=', e.tag)]))))
      .execute();
  }
}

/**
 * The incremental step: loads only the states the event touches, applies it with the same code a
 * recompute folds, writes them back. Run it inside consumeOnce (platform/outbox), whose processed
 * marker shares the transaction: that is what makes a redelivery change nothing.
 * Returns the touched states after the event, per subject, for the serving cache.
 */
export async function applyEventToStore(
  tx: Tx,
  tags: CompiledTags,
  version: number,
  event: ProfileEvent,
  now: Date,
): Promise<ProfileBook> {
  const touched = touchedBy(tags, event);
  const book: ProfileBook = new Map();
  const subjects = [...new Set(touched.map((t) => t.subject))].sort(compareCodePoints); // one lock order: no deadlock
  await lockKeys(tx, subjects.map(subjectLockKey));
  if (touched.length > 0) {
    const rows = await tx
      .selectFrom('profile_states')
      .select(['subject', 'tag', 'state'])
      .where('version', '=', version)
      .where('subject', 'in', subjects)
      .where('tag', 'in', [...new Set(touched.map((t) => t.key))])
      .execute();
    for (const subject of subjects) book.set(subject, new Map());
    for (const row of rows) book.get(row.subject)?.set(row.tag, parseTagState(row.state));
  }
  applyEvent(book, tags, event);
  await saveBook(tx, version, book, now);
  return book;
}

/** Every stored state of a version, for a digest: subject and tag in code-point order. */
export async function loadVersion(db: Queryable, version: number): Promise<ProfileBook> {
  const rows = await db
    .selectFrom('profile_states')
    .select(['subject', 'tag', 'state'])
    .where('version', '=', version)
    .execute();
  const book: ProfileBook = new Map();
  for (const row of rows) {
    const states = book.get(row.subject) ?? new Map<string, TagState>();
    states.set(row.tag, parseTagState(row.state));
    book.set(row.subject, states);
  }
  return book;
}

/** Starts the next state version for a recompute to fill. */
export async function beginStateVersion(tx: Tx, now: Date): Promise<number> {
  const row = await tx
    .selectFrom('profile_state_versions')
    .select((eb) => eb.fn.max('version').as('max'))
    .executeTakeFirstOrThrow();
  const version = Number(row.max ?? 0) + 1;
  await tx
    .insertInto('profile_state_versions')
    .values({ version, status: 'building', created_at: now })
    .execute();
  return version;
}

/** The atomic switch: the built version becomes current, the old one retired, in one transaction. */
export async function switchStateVersion(
  tx: Tx,
  version: number,
  result: { events: number; digest: string },
  now: Date,
): Promise<void> {
  await tx
    .updateTable('profile_state_versions')
    .set({ status: 'retired' })
    .where('status', '=', 'current')
    .execute();
  const switched = await tx
    .updateTable('profile_state_versions')
    .set({ status: 'current', switched_at: now, events: result.events, digest: result.digest })
    .where('version', '=', version)
    .where('status', '=', 'building')
    .executeTakeFirst();
  if (Number(switched.numUpdatedRows) !== 1)
    throw new Error(`profile state version ${version} is not building`);
}
