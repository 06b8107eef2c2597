import type { Clock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Cache } from '../platform/cache/cache.js';
import { inTransaction, lockKey, type Db } from '../platform/db/index.js';
import { compileRule, RuleCompileError } from './cel.js';
import { checkListValue } from './lists.js';
import { encodeListEntry, LISTS_MAP, RULES_VERSION_KEY } from './shared-state.js';
import {
  deleteListEntry,
  getListEntry,
  insertListEntry,
  insertRuleVersion,
  listEntries,
  ruleVersions,
  toListEntry,
  type ListEntryRow,
  type RuleRow,
} from './store.js';
import type { ListName, RuleAction, RuleMode, SubjectType } from './tables.js';

/**
 * Admin operations on lists and rules. The database holds the record (and every rule version);
 * the shared cache holds what decisions read: a change is written there and its version bumped,
 * so the next decision on every node sees it.
 */

export interface RiskStateDeps {
  db: Db;
  cache: Cache;
  clock: Clock;
}

export interface NewListEntry {
  type: SubjectType;
  value: string;
  reason?: string | undefined;
  expires_at?: string | undefined;
}

export async function addListEntry(
  deps: RiskStateDeps,
  list: ListName,
  input: NewListEntry,
  source = 'operator',
): Promise<ListEntryRow> {
  const problem = checkListValue(input.type, input.value);
  if (problem) throw new ApiError('validation_failed', problem, 'value');
  let expiresAt: Date | null = null;
  if (input.expires_at !== undefined) {
    expiresAt = new Date(input.expires_at);
    if (Number.isNaN(expiresAt.getTime()) || !/^\d{4}-\d\d-\d\dT/.test(input.expires_at))
      throw new ApiError('parameter_invalid', 'expires_at must be an ISO 8601 time', 'expires_at');
    if (expiresAt.getTime() <= deps.clock.nowMs())
      throw new ApiError('validation_failed', 'expires_at must be in the future', 'expires_at');
  }
  const row: ListEntryRow = {
    id: newId('riskListEntry', deps.clock.nowMs()),
    list,
    type: input.type,
    value: input.value,
    reason: input.reason ?? null,
    expires_at: expiresAt,
    source,
    created_at: deps.clock.now(),
  };
  await insertListEntry(deps.db, row);
  await deps.cache.mapWrite(LISTS_MAP, { [row.id]: encodeListEntry(toListEntry(row)) });
  return row;
}

export async function removeListEntry(
  deps: RiskStateDeps,
  list: ListName,
  id: string,
): Promise<ListEntryRow> {
  const row = await getListEntry(deps.db, id);
  if (!row || row.list !== list)
    throw new ApiError('resource_missing', `no entry ${id} on the ${list} list`, 'id');
  await deleteListEntry(deps.db, id);
  await deps.cache.mapWrite(LISTS_MAP, { [id]: null });
  return row;
}

/**
 * Makes the shared map hold exactly the database's entries: at start (an empty in-process cache,
 * a flushed Redis) and after a batch recompute. Returns how many entries it wrote.
 */
export async function syncSharedLists(deps: RiskStateDeps, onlyIfEmpty: boolean): Promise<number> {
  const shared = await deps.cache.mapRead(LISTS_MAP);
  if (onlyIfEmpty && shared.version > 0) return 0;
  const rows = await listEntries(deps.db);
  const changes: Record<string, string | null> = {};
  for (const id of Object.keys(shared.entries)) changes[id] = null;
  for (const row of rows) changes[row.id] = encodeListEntry(toListEntry(row));
  if (Object.keys(changes).length === 0 && shared.version > 0) return 0;
  await deps.cache.mapWrite(LISTS_MAP, changes);
  return rows.length;
}

export interface RuleInput {
  name: string;
  scene: string;
  expression: string;
  action: RuleAction;
  mode: RuleMode;
  priority?: number | undefined;
}

function compileOrReject(scene: string, expression: string): void {
  try {
    compileRule(scene, expression);
  } catch (error) {
    if (error instanceof RuleCompileError)
      throw new ApiError('validation_failed', error.message, 'expression');
    throw error;
  }
}

export async function createRule(deps: RiskStateDeps, input: RuleInput): Promise<RuleRow> {
  compileOrReject(input.scene, input.expression);
  const row: RuleRow = {
    id: newId('riskRule', deps.clock.nowMs()),
    version: 1,
    name: input.name,
    scene: input.scene,
    expression: input.expression,
    action: input.action,
    mode: input.mode,
    priority: input.priority ?? 0,
    deleted: false,
    created_at: deps.clock.now(),
  };
  await insertRuleVersion(deps.db, row);
  await deps.cache.increment(RULES_VERSION_KEY);
  return row;
}

export async function currentRule(db: Db, id: string): Promise<{ current: RuleRow; versions: RuleRow[] }> {
  const versions = await ruleVersions(db, id);
  const current = versions[0];
  if (!current || current.deleted) throw new ApiError('resource_missing', `no rule ${id}`, 'id');
  return { current, versions };
}

/** A change is a new version; the old ones stay, so the decision log can name what it ran. */
export async function updateRule(
  deps: RiskStateDeps,
  id: string,
  patch: Partial<RuleInput>,
): Promise<RuleRow> {
  return inTransaction(deps.db, async (tx) => {
    await lockKey(tx, `risk_rule:${id}`); // two concurrent edits make two versions, not a clash
    const versions = await ruleVersions(tx, id);
    const current = versions[0];
    if (!current || current.deleted) throw new ApiError('resource_missing', `no rule ${id}`, 'id');
    const next = {
      ...current,
      ...definedOnly(patch),
      version: current.version + 1,
      created_at: deps.clock.now(),
    };
    compileOrReject(next.scene, next.expression);
    await insertRuleVersion(tx, next);
    return next;
  }).then(async (row) => {
    await deps.cache.increment(RULES_VERSION_KEY);
    return row;
  });
}

export async function deleteRule(deps: RiskStateDeps, id: string): Promise<RuleRow> {
  const row = await inTransaction(deps.db, async (tx) => {
    await lockKey(tx, `risk_rule:${id}`);
    const current = (await ruleVersions(tx, id))[0];
    if (!current || current.deleted) throw new ApiError('resource_missing', `no rule ${id}`, 'id');
    const next = { ...current, version: current.version + 1, deleted: true, created_at: deps.clock.now() };
    await insertRuleVersion(tx, next);
    return next;
  });
  await deps.cache.increment(RULES_VERSION_KEY);
  return row;
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
