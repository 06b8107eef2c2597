import type { Observation } from './observe.js';

/**
 * The state of one tag for one subject: integer counts per (value, time bucket). Adding counts is
 * commutative and associative with the empty state as identity (a commutative monoid, in fact a
 * group since refunds subtract), so folding all events, merging the folds of any split and
 * applying events one by one in any order all give the same counts. Zero cells are removed, so
 * equal counts are also equal structures (and equal canonical bytes).
 *
 * Layout: value → flat array `[bucket0, count0, bucket1, count1, …]`, buckets strictly
 * ascending. Small integer arrays rather than a Map per value: a recompute holds millions of
 * cells, and this keeps them to two array slots each with few objects for the collector.
 */
export type TagState = Map<string, number[]>;

export function emptyTagState(): TagState {
  return new Map();
}

/** Index of the first pair whose bucket is >= `bucket` (pairs are ascending). */
function lowerBound(cells: readonly number[], bucket: number): number {
  let lo = 0;
  let hi = cells.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cells[mid << 1] as number) < bucket) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function addCell(state: TagState, value: string, bucket: number, delta: number): void {
  if (delta === 0) return;
  const cells = state.get(value);
  if (!cells) {
    state.set(value, [bucket, delta]);
    return;
  }
  const n = cells.length;
  // the usual case: events arrive in time order, so the bucket is the last one or a new last one
  if (bucket > (cells[n - 2] as number)) {
    cells.push(bucket, delta);
    return;
  }
  const at = lowerBound(cells, bucket) << 1;
  if (at < n && cells[at] === bucket) {
    const next = (cells[at + 1] as number) + delta;
    if (next !== 0) {
      cells[at + 1] = next;
      return;
    }
    cells.splice(at, 2);
    if (cells.length === 0) state.delete(value);
    return;
  }
  cells.splice(at, 0, bucket, delta);
}

/** Adds one observation in place (the hot path of the consumer and of a recompute). */
export function addObservation(state: TagState, observation: Observation): void {
  addCell(state, observation.value, observation.bucket, observation.weight);
}

/** Adds every cell of `other` into `into`, in place. */
export function mergeInto(into: TagState, other: TagState): void {
  for (const [value, cells] of other) {
    for (let i = 0; i < cells.length; i += 2)
      addCell(into, value, cells[i] as number, cells[i + 1] as number);
  }
}

/** The monoid operation, without touching either argument. */
export function mergeTagStates(a: TagState, b: TagState): TagState {
  const out = cloneTagState(a);
  mergeInto(out, b);
  return out;
}

export function cloneTagState(state: TagState): TagState {
  return new Map([...state].map(([value, cells]) => [value, [...cells]]));
}

/** Number of (value, bucket) cells: the size of the state. */
export function cellCount(state: TagState): number {
  let n = 0;
  for (const cells of state.values()) n += cells.length >> 1;
  return n;
}

/** Net count per value over the buckets a predicate keeps. */
export function totalsByValue(state: TagState, keepBucket: (bucket: number) => boolean): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [value, cells] of state) {
    let sum = 0;
    for (let i = 0; i < cells.length; i += 2)
      if (keepBucket(cells[i] as number)) sum += cells[i + 1] as number;
    totals.set(value, sum);
  }
  return totals;
}
