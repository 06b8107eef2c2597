import type { Clock } from '../core/clock.js';
import type { Cache } from '../platform/cache/index.js';
import { sql } from 'kysely';
import { inTransaction, type Db, type Tx } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import type { Stream, StreamEvent, Subscription } from '../platform/stream/index.js';
import { readDistribution } from './distribution.js';
import type { ProfileEvent } from './events.js';
import { tagsCache } from './definitions.js';
import { applyEvent, touchedBy, type CompiledTags, type ProfileBook } from './profile-book.js';
import { compareCodePoints, parseTagState } from './canonical.js';
import { writeSummaries } from './serving-cache.js';
import { profileEventOf } from './sources.js';
import { journalAndLoad, JOURNAL_BARRIER } from './journal.js';
import { saveBook, subjectLockKey } from './store.js';
import { summarize, type TagSummary } from './summary.js';

/**
 * The durable profile consumer. Each event is journalled (profile_events, unique id, with its
 * subjects) and applied to the current state version in ONE transaction: a redelivery finds its
 * id and changes nothing, a failure leaves neither. Consumers run in parallel: each holds the
 * journal barrier shared (a recompute takes it exclusively to cut the journal) and locks only
 * the subjects it touches, in sorted order.
 */

/** Consumer groups: one per topic filter (a JetStream durable takes one filter). */
export const PROFILE_CONSUMERS = [
  { name: 'profiles_orders', topics: 'order.succeeded' },
  { name: 'profiles_refunds', topics: 'refund.*' },
  { name: 'profiles_risk', topics: 'risk.event' },
] as const;

export interface ProfileConsumerDeps {
  db: Db;
  cache: Cache;
  clock: Clock;
  logger: Logger;
}

/**
 * Journals and applies one event inside `tx`, in three statements: the barrier (shared) and the
 * touched subjects' locks (code-point order: no deadlock) in one; the journal rows, the current
 * version and the touched states in one (journalAndLoad); the upsert of the new states. The
 * touched states, or undefined for a repeat.
 */
export async function applyJournaled(
  tx: Tx,
  tags: CompiledTags,
  event: ProfileEvent,
  now: Date,
): Promise<ProfileBook | undefined> {
  const touched = touchedBy(tags, event);
  const subjects = [...new Set(touched.map((t) => t.subject))].sort(compareCodePoints);
  const locks = subjects.map((subject) => sql`pg_advisory_xact_lock(hashtext(${subjectLockKey(subject)}))`);
  // the barrier first: a consumer waiting for a recompute holds no subject lock
  await sql`select ${sql.join([sql`pg_advisory_xact_lock_shared(hashtext(${JOURNAL_BARRIER}))`, ...locks])}`.execute(
    tx,
  );
  const loaded = await journalAndLoad(tx, event, now, {
    subjects,
    tags: [...new Set(touched.map((t) => t.key))],
  });
  if (!loaded) return undefined;
  const book: ProfileBook = new Map(subjects.map((subject) => [subject, new Map()]));
  for (const row of loaded.states) book.get(row.subject)?.set(row.tag, parseTagState(row.state));
  applyEvent(book, tags, event);
  await saveBook(tx, loaded.version, book, now);
  return book;
}

/** The serving-cache summaries of the touched states, by tag name (null: no top any more). */
export function summariesOf(
  tags: CompiledTags,
  book: ProfileBook,
  nowMs: number,
): Map<string, Map<string, TagSummary | null>> {
  const byKey = new Map(tags.definitions.map((d) => [`${d.name}@${d.version}`, d]));
  const out = new Map<string, Map<string, TagSummary | null>>();
  for (const [subject, states] of book) {
    const next = new Map<string, TagSummary | null>();
    for (const [key, state] of states) {
      const def = byKey.get(key);
      if (def) next.set(def.name, summarize(readDistribution(def, state, nowMs)));
    }
    out.set(subject, next);
  }
  return out;
}

export async function refreshSummaries(
  cache: Cache,
  tags: CompiledTags,
  book: ProfileBook,
  nowMs: number,
): Promise<void> {
  for (const [subject, next] of summariesOf(tags, book, nowMs)) await writeSummaries(cache, subject, next);
}

/** A handler for one stream event: safe to receive any number of times. */
export function profileEventHandler(deps: ProfileConsumerDeps): (event: StreamEvent) => Promise<void> {
  const loadTags = tagsCache();
  return async (streamEvent) => {
    const now = deps.clock.now();
    const result = await inTransaction(deps.db, async (tx) => {
      const event = await profileEventOf(tx, streamEvent);
      if (!event) return undefined;
      const tags = await loadTags(tx);
      const book = await applyJournaled(tx, tags, event, now);
      return book ? { tags, book } : undefined;
    });
    // after the commit: the cache is a copy, rewritten only where a top (or its rounded confidence) moved
    if (result) await refreshSummaries(deps.cache, result.tags, result.book, now.getTime());
  };
}

/** Starts the durable consumers (embedded: the in-process stream; production: NATS JetStream). */
export async function profileStreamConsumers(
  deps: ProfileConsumerDeps,
  stream: Stream,
): Promise<Subscription> {
  const handler = profileEventHandler(deps);
  const subscriptions: Subscription[] = [];
  try {
    for (const { name, topics } of PROFILE_CONSUMERS)
      subscriptions.push(await stream.subscribe(name, topics, handler));
  } catch (error) {
    for (const s of subscriptions) await s.stop();
    throw error;
  }
  return {
    async stop() {
      for (const s of subscriptions) await s.stop();
    },
  };
}
