import type { Cache } from '../platform/cache/index.js';
import type { Queryable } from '../platform/db/index.js';
import { tagsInForce } from './definitions.js';
import { readDistribution } from './distribution.js';
import { readSummary, type SubjectSummary } from './serving-cache.js';
import { currentStateVersion, loadSubject } from './store.js';

/** The profile object of CONTRACT §9, read from the current state version at `nowMs`. */

export interface ProfileObject {
  object: 'profile';
  subject: string;
  tags: Record<
    string,
    { top: string | null; values: { value: string; confidence: number }[]; evidence: number }
  >;
  updated_at: string | null;
}

/** Full distributions (rolling windows cut at this read); undefined when the subject has no state. */
export async function readProfile(
  db: Queryable,
  subject: string,
  nowMs: number,
): Promise<ProfileObject | undefined> {
  const version = await currentStateVersion(db);
  const rows = await db
    .selectFrom('profile_states')
    .select((eb) => eb.fn.max('updated_at').as('updated_at'))
    .where('version', '=', version)
    .where('subject', '=', subject)
    .executeTakeFirst();
  if (!rows?.updated_at) return undefined;
  const states = await loadSubject(db, version, subject);
  const tags: ProfileObject['tags'] = {};
  for (const def of await tagsInForce(db)) {
    const state = states.get(`${def.name}@${def.version}`);
    if (!state) continue;
    const d = readDistribution(def, state, nowMs);
    tags[def.name] = {
      top: d.top,
      values: d.values.map((v) => ({ value: v.value, confidence: v.confidence })),
      evidence: d.evidence,
    };
  }
  return { object: 'profile', subject, tags, updated_at: new Date(rows.updated_at).toISOString() };
}

/** `?view=summary`: only the serving cache, each tag's top and its confidence. */
export async function readProfileSummary(cache: Cache, subject: string) {
  const summary = await readSummary(cache, subject);
  return { object: 'profile_summary' as const, subject, tags: summary };
}

/**
 * The risk engine's `profile.<tag>`: the customer's summary, else the payer's (CONTRACT §8), from
 * the serving cache only (one hash read per subject, no database on the decision path).
 */
export function profileSummaryReader(cache: Cache) {
  return async (subjects: {
    customer?: string | undefined;
    payer?: string | undefined;
  }): Promise<SubjectSummary> => {
    const customer = subjects.customer ? await readSummary(cache, subjects.customer) : {};
    if (!subjects.payer) return customer;
    const payer = await readSummary(cache, subjects.payer);
    return { ...payer, ...customer };
  };
}
