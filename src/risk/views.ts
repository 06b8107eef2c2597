import type { DecisionRow, ListEntryRow, RuleRow } from './store.js';

/** The public objects of the risk API (CONTRACT §8). Pure. */

export function toEntryObject(row: ListEntryRow) {
  return {
    object: 'risk_list_entry' as const,
    id: row.id,
    list: row.list,
    type: row.type,
    value: row.value,
    reason: row.reason,
    expires_at: row.expires_at ? row.expires_at.toISOString() : null,
    source: row.source,
    created_at: row.created_at.toISOString(),
  };
}

export function toRuleObject(row: RuleRow) {
  return {
    object: 'risk_rule' as const,
    id: row.id,
    version: row.version,
    name: row.name,
    scene: row.scene,
    expression: row.expression,
    action: row.action,
    mode: row.mode,
    priority: row.priority,
    ...(row.deleted ? { deleted: true } : {}),
    created_at: row.created_at.toISOString(),
  };
}

export function toDecisionObject(row: DecisionRow) {
  return {
    object: 'risk_decision' as const,
    id: row.id,
    scene: row.scene,
    merchant_id: row.merchant_id,
    decision: row.decision,
    reasons: row.reasons,
    rules: row.rules,
    inputs: row.inputs,
    subjects: row.subjects,
    latency_us: row.latency_us,
    created_at: row.created_at.toISOString(),
  };
}
