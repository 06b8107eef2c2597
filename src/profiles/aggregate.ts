import type { Observation } from './observe.js';

/**
 * The state of one tag for one subject: integer counts per (value, time bucket). Adding counts is
 * commutative and associative with the empty state as identity (a commutative monoid, in fact a
 * group since refunds subtract), so folding all events, merging the folds of any split and
 * applying events one by one in any order all give the same counts. Zero cells are removed, so
 * equal counts are also equal structures (and equal canonical bytes).
 */
export type TagState = Map<string, Map<number, number>>;

export function emptyTagState(): TagState {
  return new Map();
}

function addCell(state: TagState, value: string, bucket: number, delta: number): void {
  if (delta === 0) return;
  let buckets = state.get(value);
  if (!buckets) {
    buckets = new Map();
    state.set(value, buckets);
  }
  const next = (buckets.get(bucket) ?? 0) + delta;
  if (next === 0) {
    buckets.delete(bucket);
    if (buckets.size === 0) state.delete(value);
  } else {
    buckets.set(bucket, next);
  }
}

/** Adds one observation in place (the hot path of the consumer and of a recompute). */
export function addObservation(state: TagState, observation: Observation): void {
  addCell(state, observation.value, observation.bucket, observation.weight);
}

/** Adds every cell of `other` into `into`, in place. */
export function mergeInto(into: TagState, other: TagState): void {
  for (const [value, buckets] of other) {
    for (const [bucket, count] of buckets) addCell(into, value, bucket, count);
  }
}

/** The monoid operation, without touching either argument. */
export function mergeTagStates(a: TagState, b: TagState): TagState {
  const out = cloneTagState(a);
  mergeInto(out, b);
  return out;
}

export function cloneTagState(state: TagState): TagState {
  return new Map([...state].map(([value, buckets]) => [value, new Map(buckets)]));
}

/** Net count per value over the buckets a predicate keeps. */
export function totalsByValue(state: TagState, keepBucket: (bucket: number) => boolean): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [value, buckets] of state) {
    let sum = 0;
    for (const [bucket, count] of buckets) if (keepBucket(bucket)) sum += count;
    totals.set(value, sum);
  }
  return totals;
}
