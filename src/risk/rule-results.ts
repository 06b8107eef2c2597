import { createHash } from 'node:crypto';
import type { RuleResult } from './decide.js';
import type { RiskRulesTable } from './tables.js';

type RuleRow = Pick<RiskRulesTable, 'name' | 'action' | 'mode' | 'priority'>;

/**
 * Every rule's result in a decision, kept small in the log: the rule set the decision was made
 * with (the [rule_id, version] list in force, stored once in risk_rule_sets), the rules that
 * fired, and the errors; every other rule of the set evaluated to false. Rule versions are
 * immutable and kept, so expand() gives back the full list — name, action, mode, priority,
 * result — when the log is shown. Fifty rules cost a few bytes per decision instead of kilobytes.
 */

/** What these functions read of a loaded rule (rule-set.ts's LoadedRule). */
interface RuleRef {
  row: { id: string; version: number };
}

export interface RuleSetSnapshot {
  id: string;
  scene: string;
  rules: Array<[string, number]>;
}

export interface LoggedResults {
  set: string;
  fired: string[];
  errors?: Record<string, string>;
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** The snapshot of a scene's rules; its id is a digest of the list, so equal sets share one row. */
export function snapshotOf(scene: string, rules: readonly RuleRef[]): RuleSetSnapshot {
  const list = rules.map((r): [string, number] => [r.row.id, r.row.version]);
  const digest = createHash('sha256')
    .update(JSON.stringify([scene, list]))
    .digest();
  let id = 'rrs_';
  for (let i = 0; i < 26; i++) id += ALPHABET[digest[i]! % 32];
  return { id, scene, rules: list };
}

export function loggedResults(
  set: string,
  rules: readonly RuleRef[],
  outcomes: ReadonlyArray<boolean | string>,
): LoggedResults {
  const fired: string[] = [];
  let errors: Record<string, string> | undefined;
  for (let i = 0; i < rules.length; i++) {
    const outcome = outcomes[i];
    if (outcome === true) fired.push(rules[i]!.row.id);
    else if (typeof outcome === 'string') (errors ??= {})[rules[i]!.row.id] = outcome;
  }
  return errors ? { set, fired, errors } : { set, fired };
}

function isLogged(value: unknown): value is LoggedResults {
  return typeof value === 'object' && value !== null && typeof (value as LoggedResults).set === 'string';
}

/** The rule sets a page of logged decisions refers to. */
export function referencedSets(logged: readonly unknown[]): string[] {
  return [...new Set(logged.filter(isLogged).map((l) => l.set))];
}

/** `${id}@${version}` → the rule version; set id → its [rule_id, version] list. */
export interface Lookup {
  sets: ReadonlyMap<string, Array<[string, number]>>;
  versions: ReadonlyMap<string, RuleRow>;
}

/** The public form of a logged decision's rules (CONTRACT §8: every rule's result). */
export function expandResults(logged: unknown, lookup: Lookup): RuleResult[] {
  if (Array.isArray(logged)) return logged as RuleResult[]; // a row in the full form
  if (!isLogged(logged)) return [];
  const fired = new Set(logged.fired);
  return (lookup.sets.get(logged.set) ?? []).map(([id, version]) => {
    const row = lookup.versions.get(`${id}@${version}`);
    const base = {
      rule_id: id,
      version,
      name: row?.name ?? '',
      action: row?.action ?? 'reject',
      mode: row?.mode ?? 'active',
      priority: row?.priority ?? 0,
    };
    const error = logged.errors?.[id];
    if (error !== undefined)
      return { ...base, result: 'error' as const, error: error.replace(/^error: /, '') };
    return { ...base, result: fired.has(id) };
  });
}
