import { createHash } from 'node:crypto';
import type { ListName } from './tables.js';

/**
 * Automatic list rules (the near-real-time and offline tiers). Pure: the entries a rule produces
 * are a function of the outcomes alone — not of their arrival order or repeats — so the stream
 * consumer (one subject at a time, as events arrive) and the batch recompute (everything at
 * once) reach the same entries.
 */

export interface AutoListRule {
  name: string;
  /** outcome kind it counts */
  kind: 'refunded';
  threshold: number;
  windowMs: number;
  list: ListName;
  ttlMs: number;
}

export const AUTO_LIST_RULES: readonly AutoListRule[] = [
  // a payer with 3 refunded payments within 24 h goes on the review list for 7 days
  {
    name: 'refunded_payer',
    kind: 'refunded',
    threshold: 3,
    windowMs: 86_400_000,
    list: 'review',
    ttlMs: 7 * 86_400_000,
  },
];

export interface Outcome {
  key: string;
  kind: string;
  subject: string;
  atMs: number;
}

/** When the rule put the subject on its list last, and until when; undefined = never. */
export function autoEntryFor(
  rule: AutoListRule,
  outcomes: readonly Outcome[],
): { fromMs: number; untilMs: number } | undefined {
  const times = [
    ...new Map(outcomes.filter((o) => o.kind === rule.kind).map((o) => [o.key, o.atMs])).values(),
  ].sort((a, b) => a - b);
  let last: number | undefined;
  let start = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[start]! <= times[i]! - rule.windowMs) start++;
    if (i - start + 1 >= rule.threshold) last = times[i];
  }
  return last === undefined ? undefined : { fromMs: last, untilMs: last + rule.ttlMs };
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** The entry id of (rule, subject): the same from the stream and the batch. */
export function autoEntryId(rule: AutoListRule, subject: string): string {
  const digest = createHash('sha256').update(`${rule.name}\n${subject}`).digest();
  let id = 'rle_';
  for (let i = 0; i < 26; i++) id += ALPHABET[digest[i]! % 32];
  return id;
}

export function autoSource(rule: AutoListRule): string {
  return `auto:${rule.name}`;
}
