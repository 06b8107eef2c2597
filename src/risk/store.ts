import { sql, type Selectable } from 'kysely';
import type { Db, Queryable } from '../platform/db/index.js';
import type { ListEntry } from './lists.js';
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
    .execute();
}

export async function findDecisions(
  db: Queryable,
  filter: { subject?: string; decision?: string; startingAfter?: string; limit: number },
): Promise<DecisionRow[]> {
  let query = db
    .selectFrom('risk_decisions')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(filter.limit + 1);
  if (filter.subject) query = query.where(sql<boolean>`subjects @> array[${filter.subject}]::text[]`);
  if (filter.decision) query = query.where('decision', '=', filter.decision as DecisionRow['decision']);
  if (filter.startingAfter) query = query.where('id', '<', filter.startingAfter);
  return query.execute();
}
