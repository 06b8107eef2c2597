import type { Cache } from '../platform/cache/index.js';
import { summaryChanged, type TagSummary } from './summary.js';

/**
 * The serving cache: one entry per subject, `{ "<tag>": { "top", "confidence" } }`, read by
 * `?view=summary` and the risk rules' `profile.<tag>.*`. Written only when a summary changes,
 * so most profile updates cost the cache nothing but a read.
 */

export type SubjectSummary = Record<string, TagSummary>;

export function summaryKey(subject: string): string {
  return `profiles:summary:${subject}`;
}

export async function readSummary(cache: Cache, subject: string): Promise<SubjectSummary> {
  const text = await cache.get(summaryKey(subject));
  if (text === null) return {};
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === 'object' && parsed !== null ? (parsed as SubjectSummary) : {};
}

/**
 * Merges the new summaries of the tags an event touched (null: the tag has no top any more) into
 * the subject's entry; returns whether the cache was written.
 */
export async function writeSummaries(
  cache: Cache,
  subject: string,
  next: ReadonlyMap<string, TagSummary | null>,
): Promise<boolean> {
  const current = await readSummary(cache, subject);
  let changed = false;
  for (const [tag, summary] of next) {
    if (!summaryChanged(current[tag], summary)) continue;
    changed = true;
    if (summary === null) delete current[tag];
    else current[tag] = summary;
  }
  if (!changed) return false;
  const tags = Object.keys(current).sort();
  await cache.set(summaryKey(subject), JSON.stringify(Object.fromEntries(tags.map((t) => [t, current[t]]))));
  return true;
}
