import { inTransaction, lockKey, type Db, type Queryable } from '../platform/db/index.js';
import { BUILTIN_TAGS } from './builtin-tags.js';
import { compileTags, type CompiledTags } from './profile-book.js';
import type { TagDefinition } from './tag-definition.js';
import { definitionFingerprint, parseTagDefinition } from './tag-validation.js';

/**
 * The tags in force: the built-ins plus every operator tag's current version. The consumer and a
 * recompute compile the same list, so they fold the same tags.
 */

export async function operatorTags(db: Queryable): Promise<TagDefinition[]> {
  const rows = await db
    .selectFrom('profile_tags as t')
    .innerJoin('profile_tag_definitions as d', (join) =>
      join.onRef('d.name', '=', 't.name').onRef('d.version', '=', 't.current_version'),
    )
    .select(['d.name', 'd.version', 'd.definition'])
    .orderBy('d.name')
    .execute();
  return rows.map((r) => ({
    ...(JSON.parse(r.definition) as Omit<TagDefinition, 'version'>),
    version: r.version,
  }));
}

export async function tagsInForce(db: Queryable): Promise<TagDefinition[]> {
  return [...BUILTIN_TAGS, ...(await operatorTags(db))];
}

/** Compiled tags, rebuilt only when the set of `name@version` changes (one small query per call). */
export function tagsCache(): (db: Queryable) => Promise<CompiledTags> {
  let key = '';
  let compiled = compileTags(BUILTIN_TAGS);
  return async (db) => {
    const defs = await tagsInForce(db);
    const next = defs.map((d) => `${d.name}@${d.version}`).join(',');
    if (next !== key) {
      compiled = compileTags(defs);
      key = next;
    }
    return compiled;
  };
}

export interface PutTagResult {
  definition: TagDefinition;
  /** false when the same definition was put again (the version is kept) */
  changed: boolean;
}

/**
 * `PUT /admin/v1/profiles/tags/{name}`: validates (4xx naming the parameter) and stores the
 * definition; a different fingerprint is a new version, whose state starts from the next event
 * (a recompute fills in the history).
 */
export async function putTag(db: Db, name: string, body: unknown, now: Date): Promise<PutTagResult> {
  const input = parseTagDefinition(name, body);
  const fingerprint = definitionFingerprint(input);
  return inTransaction(db, async (tx) => {
    await lockKey(tx, `profile-tag:${name}`);
    const latest = await tx
      .selectFrom('profile_tag_definitions')
      .select(['version', 'fingerprint'])
      .where('name', '=', name)
      .orderBy('version', 'desc')
      .executeTakeFirst();
    const current = await tx
      .selectFrom('profile_tags')
      .select('current_version')
      .where('name', '=', name)
      .executeTakeFirst();
    if (latest && current && latest.fingerprint === fingerprint && current.current_version === latest.version)
      return { definition: { ...input, version: latest.version }, changed: false };
    const version = (latest?.version ?? 0) + 1;
    await tx
      .insertInto('profile_tag_definitions')
      .values({ name, version, definition: JSON.stringify(input), fingerprint, created_at: now })
      .execute();
    await tx
      .insertInto('profile_tags')
      .values({ name, current_version: version, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ current_version: version, updated_at: now }))
      .execute();
    return { definition: { ...input, version }, changed: true };
  });
}
