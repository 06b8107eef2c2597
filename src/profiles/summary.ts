import type { TagDistribution } from './distribution.js';

/** What the serving cache holds per tag: the top value and its confidence, nothing more. */
export interface TagSummary {
  readonly top: string;
  readonly confidence: number;
}

/**
 * The cached confidence is rounded to this step. The cache is rewritten when the top changes or
 * the rounded confidence does: without the second, a top set on a customer's first payment would
 * keep its first (low) confidence for ever and a rule like `confidence > 0.8` would never fire.
 */
export const SUMMARY_CONFIDENCE_STEP = 0.01;

export function summarize(distribution: TagDistribution): TagSummary | null {
  const first = distribution.values[0];
  if (distribution.top === null || !first) return null;
  const steps = Math.round(first.confidence / SUMMARY_CONFIDENCE_STEP);
  return { top: distribution.top, confidence: Number((steps * SUMMARY_CONFIDENCE_STEP).toFixed(2)) };
}

/** Does the cache need a write to go from `cached` to `next`? */
export function summaryChanged(cached: TagSummary | undefined, next: TagSummary | null): boolean {
  if (next === null) return cached !== undefined;
  return cached === undefined || cached.top !== next.top || cached.confidence !== next.confidence;
}
