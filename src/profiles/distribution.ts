import { totalsByValue, type TagState } from './aggregate.js';
import { dayBucket } from './observe.js';
import { closedDomain, type TagDefinition } from './tag-definition.js';

export interface ValueConfidence {
  readonly value: string;
  /** posterior mean under the tag's Dirichlet prior; a tag's confidences sum to 1 */
  readonly confidence: number;
  /** net evidence for this value in the window (payments minus refunds, never below 0) */
  readonly count: number;
}

export interface TagDistribution {
  /** the most likely value, or null when there is no evidence in the window (the prior alone says nothing) */
  readonly top: string | null;
  /** by confidence, highest first; ties by value */
  readonly values: readonly ValueConfidence[];
  /** the evidence behind it: the sum of the counts */
  readonly evidence: number;
}

/** Which buckets a read at `nowMs` sees: a rolling window is cut here, at read time, so it is never stale. */
export function windowFilter(def: TagDefinition, nowMs: number): (bucket: number) => boolean {
  if (def.window.kind === 'all_time') return () => true;
  const today = dayBucket(nowMs);
  const first = today - def.window.days + 1;
  return (bucket) => bucket >= first && bucket <= today;
}

/**
 * The distribution of a tag at `nowMs`: counts in the window (negative nets clamped to 0, as a
 * refund cannot make a value less than unseen), plus the Dirichlet prior's pseudo-counts.
 */
export function readDistribution(def: TagDefinition, state: TagState, nowMs: number): TagDistribution {
  const totals = totalsByValue(state, windowFilter(def, nowMs));
  const counts = new Map<string, number>();
  for (const [value, n] of totals) if (n > 0) counts.set(value, n);

  const closed = closedDomain(def.value);
  const domain = new Set<string>(closed ?? counts.keys());
  if (closed === null) for (const value of Object.keys(def.prior.distribution ?? {})) domain.add(value);
  // a closed domain only ever holds its own values; this guards a state written by another version
  for (const value of counts.keys()) domain.add(value);

  const weights = new Map<string, number>();
  let weightSum = 0;
  for (const value of domain) {
    const w = def.prior.distribution ? (def.prior.distribution[value] ?? 0) : 1;
    weights.set(value, w);
    weightSum += w;
  }

  let evidence = 0;
  for (const n of counts.values()) evidence += n;
  if (evidence === 0 && closed === null && !def.prior.distribution) {
    return { top: null, values: [], evidence: 0 };
  }

  const masses: { value: string; mass: number; count: number }[] = [];
  let massSum = 0;
  for (const value of domain) {
    const alpha = weightSum > 0 ? (def.prior.strength * (weights.get(value) ?? 0)) / weightSum : 0;
    const count = counts.get(value) ?? 0;
    const mass = count + alpha;
    masses.push({ value, mass, count });
    massSum += mass;
  }
  if (massSum === 0) return { top: null, values: [], evidence: 0 };

  const values = masses
    .map(({ value, mass, count }) => ({ value, confidence: mass / massSum, count }))
    .sort((a, b) => b.confidence - a.confidence || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { top: evidence > 0 ? (values[0]?.value ?? null) : null, values, evidence };
}
