import type { ListHit } from './lists.js';
import type { Decision, RuleAction, RuleMode } from './tables.js';

/** Turns list hits and rule results into the decision. Pure. */

export interface RuleResult {
  rule_id: string;
  version: number;
  name: string;
  action: RuleAction;
  mode: RuleMode;
  priority: number;
  /** true = the rule fired; 'error' = it could not be evaluated (logged, never fires) */
  result: boolean | 'error';
  error?: string;
}

export interface Reason {
  rule_id: string | null;
  name: string;
}

export interface Outcome {
  decision: Decision;
  reasons: Reason[];
}

const RANK: Record<Decision, number> = { accept: 0, review: 1, reject: 2 };

export function worst(a: Decision, b: Decision): Decision {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Block list → reject. Allow list → accept, whatever the rules say (they are still evaluated and
 * logged). Otherwise the active rules that fired decide (reject beats review), and a review-list
 * hit makes an accept a review. Shadow rules never count.
 */
export function combine(hit: ListHit | undefined, results: readonly RuleResult[]): Outcome {
  if (hit?.list === 'block') return { decision: 'reject', reasons: [listReason(hit)] };
  if (hit?.list === 'allow') return { decision: 'accept', reasons: [listReason(hit)] };
  let decision: Decision = 'accept';
  const reasons: Reason[] = [];
  for (const r of results) {
    if (r.mode !== 'active' || r.result !== true) continue;
    decision = worst(decision, r.action);
    reasons.push({ rule_id: r.rule_id, name: r.name });
  }
  if (hit?.list === 'review') {
    decision = worst(decision, 'review');
    reasons.push(listReason(hit));
  }
  // the reasons that carry the decision first
  const weight = (reason: Reason) =>
    results.find((r) => r.rule_id === reason.rule_id)?.action === decision ? 0 : 1;
  reasons.sort((a, b) => weight(a) - weight(b));
  return { decision, reasons };
}

function listReason(hit: ListHit): Reason {
  return { rule_id: null, name: `${hit.list}_list:${hit.entry.type}` };
}

/** What a scene does when the shared cache cannot be reached (CONTRACT §8 leaves it per scene). */
export type FailureMode = 'open' | 'closed' | 'review';

export function failureDecision(mode: FailureMode): Decision {
  return mode === 'open' ? 'accept' : mode === 'closed' ? 'reject' : 'review';
}
