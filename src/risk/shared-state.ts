import type { ListEntry } from './lists.js';

/** Names and encodings of what the risk module keeps in the shared cache (Redis). */

/** One map field per list entry (its id) holding the entry as JSON, plus `risk:lists:version`. */
export const LISTS_MAP = 'risk:lists';
/** Bumped on every rule change; nodes reload rules from the database when it moves. */
export const RULES_VERSION_KEY = 'risk:rules:version';

export function encodeListEntry(entry: ListEntry): string {
  return JSON.stringify(entry);
}

export function parseListMap(entries: Record<string, string>): ListEntry[] {
  const out: ListEntry[] = [];
  for (const json of Object.values(entries)) {
    try {
      out.push(JSON.parse(json) as ListEntry);
    } catch {
      // a field that is not an entry is ignored, never fatal to decisions
    }
  }
  return out;
}
