import { lockKey, type Queryable, type Tx } from '../platform/db/index.js';
import type { TagState } from './aggregate.js';
import { parseTagState, serializeTagState } from './canonical.js';
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
  for (const [tag, state] of states) {
    if (state.size === 0) {
      await db
        .deleteFrom('profile_states')
        .where('version', '=', version)
        .where('subject', '=', subject)
        .where('tag', '=', tag)
        .execute();
      continue;
    }
    await db
      .insertInto('profile_states')
      .values({ version, subject, tag, state: serializeTagState(state), updated_at: now })
      .onConflict((oc) =>
        oc.columns(['version', 'subject', 'tag']).doUpdateSet({
          state: (eb) => eb.ref('excluded.state'),
          updated_at: (eb) => eb.ref('excluded.updated_at'),
        }),
      )
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
  for (const { subject } of touched) {
    if (book.has(subject)) continue;
    const keys = touched.filter((t) => t.subject === subject).map((t) => t.key);
    // one subject's read-modify-write at a time, even before its first row exists
    await lockKey(tx, `profile:${version}:${subject}`);
    book.set(subject, await loadSubject(tx, version, subject, keys));
  }
  applyEvent(book, tags, event);
  for (const [subject, states] of book) await saveSubject(tx, version, subject, states, now);
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
