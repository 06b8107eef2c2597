import { sql, type Selectable } from 'kysely';
import { newestFirst, type Db, type Queryable } from '../platform/db/index.js';
import type { ListEntry } from './lists.js';
import { expandResults, referencedSets, type Lookup, type RuleSetSnapshot } from './rule-results.js';
import type { RiskDecisionsTable, RiskListEntriesTable, RiskRulesTable } from './tables.js';

/** The risk module's queries. */

export type ListEntryRow = Selectable<RiskListEntriesTable>;
export type RuleRow = Selectable<RiskRulesTable>;
export type DecisionRow = Selectable<RiskDecisionsTable>;

export function toListEntry(row: ListEntryRow): ListEntry {
  return {
    id: row.id,
    list: row.list,
    type: row.type,
    value: row.value,
    reason: row.reason,
    expiresAt: row.expires_at ? row.expires_at.getTime() : null,
    source: row.source,
  };
}

export async function insertListEntry(db: Queryable, row: ListEntryRow): Promise<void> {
  await db.insertInto('risk_list_entries').values(row).execute();
}

export async function listEntries(
  db: Queryable,
  filter: { list?: string; source?: string } = {},
): Promise<ListEntryRow[]> {
  let query = db.selectFrom('risk_list_entries').selectAll().orderBy('id', 'desc');
  if (filter.list) query = query.where('list', '=', filter.list as ListEntryRow['list']);
  if (filter.source) query = query.where('source', '=', filter.source);
  return query.execute();
}

export async function getListEntry(db: Queryable, id: string): Promise<ListEntryRow | undefined> {
  return db.selectFrom('risk_list_entries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function deleteListEntry(db: Queryable, id: string): Promise<boolean> {
  const result = await db.deleteFrom('risk_list_entries').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The current version of every rule that is not deleted. */
export async function currentRules(db: Queryable): Promise<RuleRow[]> {
  const rows = await db
    .selectFrom('risk_rules as r')
    .selectAll('r')
    .where(({ eb, selectFrom }) =>
      eb(
        'r.version',
        '=',
        selectFrom('risk_rules as v')
          .select(({ fn }) => fn.max('v.version').as('m'))
          .whereRef('v.id', '=', 'r.id'),
      ),
    )
    .execute();
  return rows.filter((r) => !r.deleted);
}

export async function ruleVersions(db: Queryable, id: string): Promise<RuleRow[]> {
  return db.selectFrom('risk_rules').selectAll().where('id', '=', id).orderBy('version', 'desc').execute();
}

export async function insertRuleVersion(db: Queryable, row: RuleRow): Promise<void> {
  await db.insertInto('risk_rules').values(row).execute();
}

export async function insertDecisions(db: Db, rows: DecisionRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('risk_decisions')
    .values(
      rows.map((r) => ({
        ...r,
        reasons: JSON.stringify(r.reasons),
        rules: JSON.stringify(r.rules),
        inputs: JSON.stringify(r.inputs),
      })),
    )
    // a batch written again after a failure may be partly in already
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function findDecisions(
  db: Queryable,
  filter: { subject?: string; decision?: string; startingAfter?: string; limit: number },
): Promise<DecisionRow[]> {
  let query = newestFirst(db.selectFrom('risk_decisions').selectAll(), filter, {
    decision: filter.decision as DecisionRow['decision'] | undefined,
  });
  if (filter.subject) query = query.where(sql<boolean>`subjects @> array[${filter.subject}]::text[]`);
  const rows = await query.execute();
  const lookup = await ruleLookup(db, referencedSets(rows.map((r) => r.rules)));
  return rows.map((r) => ({ ...r, rules: expandResults(r.rules, lookup) }));
}

/** The rule sets named and every rule version in them, to show logged decisions in full. */
async function ruleLookup(db: Queryable, setIds: string[]): Promise<Lookup> {
  const sets = new Map<string, Array<[string, number]>>();
  const versions = new Map<string, RuleRow>();
  if (setIds.length === 0) return { sets, versions };
  for (const set of await db.selectFrom('risk_rule_sets').selectAll().where('id', 'in', setIds).execute())
    sets.set(set.id, set.rules);
  const ids = [...new Set([...sets.values()].flat().map(([id]) => id))];
  for (let i = 0; i < ids.length; i += 500)
    for (const row of await db
      .selectFrom('risk_rules')
      .selectAll()
      .where('id', 'in', ids.slice(i, i + 500))
      .execute())
      versions.set(`${row.id}@${row.version}`, row);
  return { sets, versions };
}

export async function insertRuleSets(db: Db, sets: readonly RuleSetSnapshot[], at: Date): Promise<void> {
  if (sets.length === 0) return;
  await db
    .insertInto('risk_rule_sets')
    .values(sets.map((s) => ({ id: s.id, scene: s.scene, rules: JSON.stringify(s.rules), created_at: at })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}
