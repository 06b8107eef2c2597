import type { Clock } from '../core/clock.js';
import type { Cache } from '../platform/cache/index.js';
import { inTransaction, lockKey, type Db, type Queryable } from '../platform/db/index.js';
import { serializeTagState } from './canonical.js';
import { JOURNAL_LOCK, refreshSummaries } from './consumer.js';
import { tagsInForce } from './definitions.js';
import type { ProfileEvent } from './events.js';
import {
  applyEvent,
  bookDigest,
  compileTags,
  emptyBook,
  type CompiledTags,
  type ProfileBook,
} from './profile-book.js';
import { applyEventToStore, beginStateVersion, loadVersion, switchStateVersion } from './store.js';

/**
 * `juhepay profiles recompute`: replays the journal through the SAME fold (applyEvent) into a new
 * state version and switches to it in one transaction. The history streams in keyset pages (the
 * memory held is the state, never the history); the state is written in multi-row inserts; the
 * events the consumer journalled meanwhile are caught up under the journal lock in the switch
 * transaction, so the new version holds exactly the journal, as the incremental one does.
 */

export interface RecomputeOptions {
  onProgress?: (done: number, total: number) => void;
  /** journal rows per page (default 5,000) */
  pageSize?: number;
  /** state rows per insert (default 1,000) */
  writeBatch?: number;
  /** rewrite the serving cache's summaries that changed (default true) */
  refreshCache?: boolean;
}

export interface RecomputeResult {
  version: number;
  events: number;
  subjects: number;
  states: number;
  digest: string;
  /** seconds spent: reading and folding, writing the state, switching (with the catch-up) */
  timings: { fold: number; write: number; switch: number; cache: number };
}

interface JournalPage {
  events: ProfileEvent[];
  last: string | undefined;
}

async function journalPage(db: Queryable, after: string, limit: number, upTo?: string): Promise<JournalPage> {
  let query = db
    .selectFrom('profile_events')
    .select(['seq', 'event'])
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit);
  if (upTo !== undefined) query = query.where('seq', '<=', upTo);
  const rows = await query.execute();
  return { events: rows.map((r) => JSON.parse(r.event) as ProfileEvent), last: rows.at(-1)?.seq };
}

async function writeBook(
  db: Db,
  version: number,
  book: ProfileBook,
  batch: number,
  now: Date,
): Promise<number> {
  let rows: { version: number; subject: string; tag: string; state: string; updated_at: Date }[] = [];
  let written = 0;
  const flush = async () => {
    if (rows.length === 0) return;
    await db.insertInto('profile_states').values(rows).execute();
    written += rows.length;
    rows = [];
  };
  for (const [subject, states] of book) {
    for (const [tag, state] of states) {
      if (state.size === 0) continue;
      rows.push({ version, subject, tag, state: serializeTagState(state), updated_at: now });
      if (rows.length >= batch) await flush();
    }
  }
  await flush();
  return written;
}

/** Versions a crashed recompute left building: retired, their rows dropped. */
async function dropAbandoned(db: Db): Promise<void> {
  const abandoned = await db
    .selectFrom('profile_state_versions')
    .select('version')
    .where('status', '=', 'building')
    .execute();
  for (const { version } of abandoned) {
    await db.deleteFrom('profile_states').where('version', '=', version).execute();
    await db
      .updateTable('profile_state_versions')
      .set({ status: 'retired' })
      .where('version', '=', version)
      .execute();
  }
}

export async function recomputeProfiles(
  deps: { db: Db; cache: Cache; clock: Clock },
  options: RecomputeOptions = {},
): Promise<RecomputeResult> {
  const { db, clock } = deps;
  const pageSize = options.pageSize ?? 5_000;
  const seconds = (from: number) => (performance.now() - from) / 1000;
  await dropAbandoned(db);
  const tags: CompiledTags = compileTags(await tagsInForce(db));
  const version = await inTransaction(db, (tx) => beginStateVersion(tx, clock.now()));
  // the fold stops at the journal's end as it is now; what follows is caught up under the lock
  const bounds = await db
    .selectFrom('profile_events')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.max('seq').as('last')])
    .executeTakeFirstOrThrow();
  const total = Number(bounds.n);
  const upTo = String(bounds.last ?? '0');

  let t = performance.now();
  const book = emptyBook();
  let cursor = '0';
  let events = 0;
  let next = journalPage(db, cursor, pageSize, upTo);
  for (;;) {
    const page = await next;
    if (!page.last) break;
    cursor = page.last;
    next = journalPage(db, cursor, pageSize, upTo); // the next page loads while this one folds
    for (const event of page.events) applyEvent(book, tags, event);
    events += page.events.length;
    options.onProgress?.(events, total);
  }
  const fold = seconds(t);

  t = performance.now();
  const states = await writeBook(db, version, book, options.writeBatch ?? 1_000, clock.now());
  const write = seconds(t);

  t = performance.now();
  const previous = await db
    .selectFrom('profile_state_versions')
    .select('version')
    .where('status', '=', 'current')
    .executeTakeFirst();
  const digest = await inTransaction(db, async (tx) => {
    // no consumer appends while we hold it: what follows the cursor now is all that is missing
    await lockKey(tx, JOURNAL_LOCK);
    for (;;) {
      const page = await journalPage(tx, cursor, pageSize);
      if (!page.last) break;
      for (const event of page.events) {
        await applyEventToStore(tx, tags, version, event, clock.now());
        applyEvent(book, tags, event);
      }
      events += page.events.length;
      cursor = page.last;
    }
    const digest = bookDigest(book);
    await switchStateVersion(tx, version, { events, digest }, clock.now());
    return digest;
  });
  if (previous) await db.deleteFrom('profile_states').where('version', '=', previous.version).execute();
  const switchSeconds = seconds(t);

  t = performance.now();
  if (options.refreshCache ?? true) await refreshSummaries(deps.cache, tags, book, clock.nowMs());
  return {
    version,
    events,
    subjects: book.size,
    states,
    digest,
    timings: { fold, write, switch: switchSeconds, cache: seconds(t) },
  };
}

/** The digest of the current state version, read back from the rows (what a recompute must equal). */
export async function currentDigest(db: Queryable): Promise<string> {
  const row = await db
    .selectFrom('profile_state_versions')
    .select('version')
    .where('status', '=', 'current')
    .executeTakeFirstOrThrow();
  return bookDigest(await loadVersion(db, row.version));
}
