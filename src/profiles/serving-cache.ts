import type { Cache } from '../platform/cache/index.js';
import { summaryChanged, type TagSummary } from './summary.js';

/**
 * The serving cache: one hash per subject (`profiles:summary:<subject>`, a Redis hash in
 * production, in-process embedded), field = tag name, value = `{ "top", "confidence" }`. Read by
 * `?view=summary` and the risk rules' `profile.<tag>.*`; written only for the fields whose
 * summary changed, so most profile updates cost the cache one read.
 */

export type SubjectSummary = Record<string, TagSummary>;

export function summaryKey(subject: string): string {
  return `profiles:summary:${subject}`;
}

function parseField(text: string): TagSummary | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<TagSummary>;
    return typeof parsed.top === 'string' && typeof parsed.confidence === 'number'
      ? { top: parsed.top, confidence: parsed.confidence }
      : undefined;
  } catch {
    return undefined;
  }
}

export async function readSummary(cache: Cache, subject: string): Promise<SubjectSummary> {
  const { entries } = await cache.mapRead(summaryKey(subject));
  const out: SubjectSummary = {};
  for (const tag of Object.keys(entries).sort()) {
    const summary = parseField(entries[tag] as string);
    if (summary) out[tag] = summary;
  }
  return out;
}

/**
 * Writes the fields of the tags whose summary changed (null: the tag has no top any more);
 * returns whether the cache was written.
 */
export async function writeSummaries(
  cache: Cache,
  subject: string,
  next: ReadonlyMap<string, TagSummary | null>,
): Promise<boolean> {
  const current = await readSummary(cache, subject);
  const changes: Record<string, string | null> = {};
  for (const [tag, summary] of next) {
    if (!summaryChanged(current[tag], summary)) continue;
    changes[tag] =
      summary === null ? null : JSON.stringify({ top: summary.top, confidence: summary.confidence });
  }
  if (Object.keys(changes).length === 0) return false;
  await cache.mapWrite(summaryKey(subject), changes);
  return true;
}
