import type { Json, Timestamp } from '../platform/db/tables.js';

// Kysely table types of the risk module; merged into Tables in src/platform/db/tables.ts.
// Migration 0011_risk defines them (and the orders' customer_id, device_id and risk flag).

export type ListName = 'block' | 'allow' | 'review';
export type SubjectType = 'payer' | 'customer' | 'device' | 'ip' | 'merchant';
export type RuleAction = 'reject' | 'review';
export type RuleMode = 'active' | 'shadow';
export type Decision = 'accept' | 'review' | 'reject';

export interface RiskListEntriesTable {
  id: string;
  list: ListName;
  type: SubjectType;
  value: string;
  reason: string | null;
  expires_at: Timestamp | null;
  /** 'operator' (admin API) or 'auto:<rule>' (automatic list rules: the recompute owns these) */
  source: string;
  created_at: Timestamp;
}

export interface RiskRulesTable {
  id: string;
  version: number;
  name: string;
  scene: string;
  expression: string;
  action: RuleAction;
  mode: RuleMode;
  priority: number;
  deleted: boolean;
  created_at: Timestamp;
}

export interface RiskDecisionsTable {
  id: string;
  scene: string;
  merchant_id: string | null;
  subjects: string[];
  decision: Decision;
  reasons: Json<unknown[]>;
  /** LoggedResults (rule-results.ts); rows written before migration 0017 hold the full list */
  rules: Json<unknown>;
  inputs: Json<Record<string, unknown>>;
  latency_us: number;
  created_at: Timestamp;
}

export interface RiskOutcomesTable {
  event_id: string;
  kind: string;
  subject: string;
  amount: number;
  at: Timestamp;
}

/** The rules in force in a scene at some point: [rule_id, version] in evaluation order. */
export interface RiskRuleSetsTable {
  id: string;
  scene: string;
  rules: Json<Array<[string, number]>>;
  created_at: Timestamp;
}

export interface RiskTables {
  risk_rule_sets: RiskRuleSetsTable;
  risk_list_entries: RiskListEntriesTable;
  risk_rules: RiskRulesTable;
  risk_decisions: RiskDecisionsTable;
  risk_outcomes: RiskOutcomesTable;
}

// Registers these tables in the one Kysely schema type (platform/db/tables.ts), so platform never
// imports a domain module.
declare module '../platform/db/tables.js' {
  interface Tables extends RiskTables {}
}
