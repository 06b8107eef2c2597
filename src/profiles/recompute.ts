import type { Clock } from '../core/clock.js';
import type { Cache } from '../platform/cache/index.js';
import { inTransaction, lockKey, type Db, type Engine, type Queryable } from '../platform/db/index.js';
import { parseTagState } from './canonical.js';
import { refreshSummaries } from './consumer.js';
import { tagsInForce } from './definitions.js';
import type { ProfileEvent } from './events.js';
import {
  JOURNAL_BARRIER,
  journalEnd,
  journalPage,
  streamReplayCursor,
  streamReplayPages,
  type ReplayRow,
} from './journal.js';
import {
  applyEvent,
  canonicalLine,
  compileTags,
  emptyBook,
  LineDigest,
  subjectStates,
  type CompiledTags,
  type ProfileBook,
} from './profile-book.js';
import { StateWriter, versionDigest, versionRows } from './state-rows.js';
import { applyEventToStore, beginStateVersion, currentStateVersion, switchStateVersion } from './store.js';

/**
 * `juhepay profiles recompute`: replays the journal through the SAME fold (applyEvent) into a new
 * state version and switches to it in one transaction.
 *
 * The replay goes subject by subject (profile_event_subjects, in code-point order; on PostgreSQL
 * one query through a server-side cursor, on PGlite keyset pages: journal.ts): each
 * subject's events are folded, its states serialised once — into the digest and into the write
 * buffer — and dropped before the next subject. The fold is a commutative sum, so folding each
 * subject's events apart is the fold of all; memory holds one page of events, one subject and one
 * write batch, whatever the length of the history. The journal is cut under the barrier
 * (journal.ts); the events journalled after the cut are caught up in the switch transaction,
 * under the barrier again, through the consumer's own applyEventToStore.
 */

export interface RecomputeOptions {
  /** (subject, event) pairs replayed so far, of the total */
  onProgress?: (done: number, total: number) => void;
  /** (subject, event) pairs per page or cursor FETCH (default 5,000) */
  pageSize?: number;
  /** state rows per insert (default 5,000) */
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
  /**
   * seconds: the replay (read, fold, serialise, write, overlapped) and within it the waits for
   * the next rows (on PostgreSQL including the server's join and sort before the first FETCH)
   * and for the previous insert; the switch (catch-up and old rows dropped); the
   * serving cache
   */
  timings: { replay: number; readWait: number; writeWait: number; switch: number; cache: number };
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

interface Replayed {
  subjects: number;
  states: number;
  digest: string;
  readWait: number;
  writeWait: number;
}

/** Folds the journal up to `upTo` subject by subject into `version`; the digest of what it wrote. */
async function replay(
  db: Db,
  tags: CompiledTags,
  version: number,
  upTo: string,
  total: number,
  options: RecomputeOptions & { now: Date; engine: Engine | undefined },
): Promise<Replayed> {
  const pageSize = options.pageSize ?? 5_000;
  const writer = new StateWriter(db, version, options.now, options.writeBatch ?? 5_000);
  const digest = new LineDigest();
  let writeWait = 0;
  let subjects = 0;
  let subject: string | undefined;
  let book: ProfileBook = emptyBook();

  const finishSubject = async () => {
    const states = subject === undefined ? undefined : book.get(subject);
    if (subject === undefined || !states) return;
    const lines = subjectStates(states);
    if (lines.length > 0) subjects++;
    const t = performance.now();
    for (const [tag, state] of lines) {
      digest.add(canonicalLine(subject, tag, state));
      await writer.add(subject, tag, state);
    }
    writeWait += performance.now() - t;
  };

  let done = 0;
  let folding = 0;
  const started = performance.now();
  const fold = async (rows: ReplayRow[]) => {
    const t = performance.now();
    for (const row of rows) {
      if (row.subject !== subject) {
        await finishSubject();
        subject = row.subject;
        book = emptyBook();
      }
      applyEvent(book, tags, JSON.parse(row.event) as ProfileEvent, row.subject);
    }
    done += rows.length;
    options.onProgress?.(done, total);
    folding += performance.now() - t;
  };
  if (options.engine === 'postgres') await streamReplayCursor(db, upTo, pageSize, fold);
  else await streamReplayPages(db, upTo, pageSize, fold);
  // what the replay did not spend folding it spent waiting for rows
  const readWait = performance.now() - started - folding;
  await finishSubject();
  const t = performance.now();
  const states = await writer.close();
  writeWait += performance.now() - t;
  return { subjects, states, digest: digest.hex(), readWait: readWait / 1000, writeWait: writeWait / 1000 };
}

/** Rewrites the serving cache from a version's rows, one subject at a time. */
async function refreshFromVersion(
  db: Queryable,
  cache: Cache,
  tags: CompiledTags,
  version: number,
  nowMs: number,
): Promise<void> {
  let book: ProfileBook = new Map();
  for await (const row of versionRows(db, version)) {
    if (!book.has(row.subject)) {
      await refreshSummaries(cache, tags, book, nowMs);
      book = new Map([[row.subject, new Map()]]);
    }
    book.get(row.subject)?.set(row.tag, parseTagState(row.state));
  }
  await refreshSummaries(cache, tags, book, nowMs);
}

export async function recomputeProfiles(
  /** engine `postgres` replays through one server-side cursor; PGlite (one shared session) in keyset pages */
  deps: { db: Db; cache: Cache; clock: Clock; engine?: Engine },
  options: RecomputeOptions = {},
): Promise<RecomputeResult> {
  const { db, clock } = deps;
  const seconds = (from: number) => (performance.now() - from) / 1000;
  await dropAbandoned(db);
  const tags = compileTags(await tagsInForce(db));
  const version = await inTransaction(db, (tx) => beginStateVersion(tx, clock.now()));
  // the cut: once no append is in flight, every seq up to the max is committed
  const end = await inTransaction(db, async (tx) => {
    await lockKey(tx, JOURNAL_BARRIER);
    return journalEnd(tx);
  });

  let t = performance.now();
  const replayed = await replay(db, tags, version, end.upTo, end.pairs, {
    ...options,
    now: clock.now(),
    engine: deps.engine,
  });
  const replaySeconds = seconds(t);

  t = performance.now();
  const previous = await currentStateVersion(db);
  const { events, digest } = await inTransaction(db, async (tx) => {
    // no append in flight or starting: what follows the cut now is all that is missing
    await lockKey(tx, JOURNAL_BARRIER);
    let caughtUp = 0;
    let cursor = end.upTo;
    for (;;) {
      const page = await journalPage(tx, cursor, options.pageSize ?? 10_000);
      if (!page.last) break;
      for (const event of page.events) await applyEventToStore(tx, tags, version, event, clock.now());
      caughtUp += page.events.length;
      cursor = page.last;
    }
    // the catch-up changed rows after the replay digested them: digest the stored version again
    const digest = caughtUp === 0 ? replayed.digest : await versionDigest(tx, version);
    const events = end.events + caughtUp;
    await switchStateVersion(tx, version, { events, digest }, clock.now());
    return { events, digest };
  });
  await db.deleteFrom('profile_states').where('version', '=', previous).execute();
  const switchSeconds = seconds(t);

  t = performance.now();
  if (options.refreshCache ?? true) await refreshFromVersion(db, deps.cache, tags, version, clock.nowMs());
  return {
    version,
    events,
    subjects: replayed.subjects,
    states: replayed.states,
    digest,
    timings: {
      replay: replaySeconds,
      readWait: replayed.readWait,
      writeWait: replayed.writeWait,
      switch: switchSeconds,
      cache: seconds(t),
    },
  };
}

/** The digest of the current state version, streamed from its rows (what a recompute must equal). */
export async function currentDigest(db: Queryable): Promise<string> {
  return versionDigest(db, await currentStateVersion(db));
}
