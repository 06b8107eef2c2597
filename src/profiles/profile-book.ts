import { addObservation, emptyTagState, mergeInto, type TagState } from './aggregate.js';
import { compareCodePoints, serializeTagState } from './canonical.js';
import { subjectsOf, type ProfileEvent } from './events.js';
import { observe, sourceMatches, type Observation } from './observe.js';
import { tagKey, type TagDefinition, type TagSource } from './tag-definition.js';
import { createHash } from 'node:crypto';

/**
 * Every subject's tag states, keyed subject → `tag@version` → state. One code path builds it
 * from a live stream (apply one event) and from the whole history (a recompute folds the same
 * function over the replay), which is why both end byte-identical.
 */
export type ProfileBook = Map<string, Map<string, TagState>>;

/** Tag sources indexed by event type, so an event touches only the tags it feeds. */
export interface CompiledTags {
  readonly definitions: readonly TagDefinition[];
  sourcesFor(eventType: string): readonly { def: TagDefinition; key: string; source: TagSource }[];
}

const MAX_INDEXED_TYPES = 1_000;

export function compileTags(definitions: readonly TagDefinition[]): CompiledTags {
  const all = definitions.flatMap((def) => def.sources.map((source) => ({ def, key: tagKey(def), source })));
  const byType = new Map<string, { def: TagDefinition; key: string; source: TagSource }[]>();
  return {
    definitions,
    sourcesFor(eventType) {
      let hit = byType.get(eventType);
      if (!hit) {
        hit = all.filter((entry) => sourceMatches(entry.source, eventType));
        // merchants name their own risk event types: keep the index bounded
        if (byType.size < MAX_INDEXED_TYPES) byType.set(eventType, hit);
      }
      return hit;
    },
  };
}

export function emptyBook(): ProfileBook {
  return new Map();
}

function stateFor(book: ProfileBook, subject: string, key: string): TagState {
  let tags = book.get(subject);
  if (!tags) {
    tags = new Map();
    book.set(subject, tags);
  }
  let state = tags.get(key);
  if (!state) {
    state = emptyTagState();
    tags.set(key, state);
  }
  return state;
}

/** The (subject, tag) states an event changes, for a consumer that loads and writes only those. */
export function touchedBy(tags: CompiledTags, event: ProfileEvent): { subject: string; key: string }[] {
  const keys = new Set<string>();
  for (const { def, key, source } of tags.sourcesFor(event.type)) {
    if (observe(def, source, event) !== null) keys.add(key);
  }
  return subjectsOf(event).flatMap((subject) => [...keys].map((key) => ({ subject, key })));
}

/**
 * Adds one event's evidence to the book, in place. Not idempotent by itself: exactly-once is the
 * caller's (see applyOnce), the aggregate stays a plain commutative sum. With `onlySubject`, only
 * that subject's states change: a recompute replaying the history subject by subject folds each
 * event once per subject it names, so the union of those folds is the fold of all.
 */
export function applyEvent(
  book: ProfileBook,
  tags: CompiledTags,
  event: ProfileEvent,
  onlySubject?: string,
): void {
  const sources = tags.sourcesFor(event.type);
  if (sources.length === 0) return;
  const keys: string[] = [];
  const observations: Observation[] = [];
  for (const { def, key, source } of sources) {
    const observation = observe(def, source, event);
    if (observation === null) continue;
    keys.push(key);
    observations.push(observation);
  }
  if (observations.length === 0) return;
  for (const subject of subjectsOf(event)) {
    if (onlySubject !== undefined && subject !== onlySubject) continue;
    let states = book.get(subject);
    if (!states) {
      states = new Map();
      book.set(subject, states);
    }
    for (let i = 0; i < observations.length; i++) {
      const key = keys[i] as string;
      let state = states.get(key);
      if (!state) {
        state = emptyTagState();
        states.set(key, state);
      }
      addObservation(state, observations[i] as Observation);
    }
  }
}

/** The ids already applied: the consumer's processed-events table, written in the same transaction. */
export interface ProcessedIds {
  has(id: string): boolean;
  add(id: string): void;
}

/** Applies an event unless its id was applied before; true when it was applied now. */
export function applyOnce(
  book: ProfileBook,
  tags: CompiledTags,
  processed: ProcessedIds,
  event: ProfileEvent,
): boolean {
  if (processed.has(event.id)) return false;
  processed.add(event.id);
  applyEvent(book, tags, event);
  return true;
}

/** Folds a whole (duplicate-free) history: what a recompute does, streaming. */
export function foldEvents(tags: CompiledTags, events: Iterable<ProfileEvent>): ProfileBook {
  const book = emptyBook();
  for (const event of events) applyEvent(book, tags, event);
  return book;
}

/** Adds `other` into `into`, in place (merging the folds of two disjoint parts of a history). */
export function mergeBookInto(into: ProfileBook, other: ProfileBook): void {
  for (const [subject, tags] of other) {
    for (const [key, state] of tags) mergeInto(stateFor(into, subject, key), state);
  }
}

/** One subject's non-empty states as `[tag, canonical state]`, tags in code-point order. */
export function subjectStates(states: ReadonlyMap<string, TagState>): [string, string][] {
  const out: [string, string][] = [];
  for (const key of [...states.keys()].sort(compareCodePoints)) {
    const state = states.get(key);
    if (state && state.size > 0) out.push([key, serializeTagState(state)]);
  }
  return out;
}

/** One canonical line: `subject \t tag@version \t state`. */
export function canonicalLine(subject: string, tag: string, state: string): string {
  return `${subject}\t${tag}\t${state}\n`;
}

/** The canonical lines of a book, sorted by subject then tag; empty states skipped. */
export function* canonicalLines(book: ProfileBook): Generator<string> {
  for (const subject of [...book.keys()].sort(compareCodePoints)) {
    for (const [tag, state] of subjectStates(book.get(subject) ?? new Map<string, TagState>()))
      yield canonicalLine(subject, tag, state);
  }
}

/**
 * sha256 over canonical lines fed in order, in chunks (one update per line costs more than the
 * hashing itself). A recompute feeds it subject by subject as it goes; bookDigest all at once.
 */
export class LineDigest {
  private readonly hash = createHash('sha256');
  private chunk = '';

  add(line: string): void {
    this.chunk += line;
    if (this.chunk.length >= 65_536) {
      this.hash.update(this.chunk);
      this.chunk = '';
    }
  }

  hex(): string {
    this.hash.update(this.chunk);
    this.chunk = '';
    return this.hash.digest('hex');
  }
}

/** sha256 of the canonical lines: incremental == recompute is this digest, compared. */
export function bookDigest(book: ProfileBook): string {
  const digest = new LineDigest();
  for (const line of canonicalLines(book)) digest.add(line);
  return digest.hex();
}
