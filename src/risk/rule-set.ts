import type { Logger } from '../platform/logger.js';
import { compileRule, velocityKey, type CompiledRule, type VelocityCall } from './cel.js';
import { snapshotOf, type RuleSetSnapshot } from './rule-results.js';
import type { RuleRow } from './store.js';
import type { Dimension, OutcomeKind } from './windows.js';

export interface LoadedRule {
  row: RuleRow;
  compiled: CompiledRule;
}

/**
 * The rules in force, compiled, by scene and priority (highest first). A rule version is compiled
 * once: update() keeps the compiled form of every (id, version) it already has.
 */
export class RuleSet {
  private readonly byScene = new Map<string, LoadedRule[]>();
  private readonly windowsByScene = new Map<string, Map<Dimension, number[]>>();
  private readonly snapshotByScene = new Map<string, RuleSetSnapshot>();
  private readonly outcomesByScene = new Map<
    string,
    Array<{ kind: OutcomeKind; dimension: Dimension; windowsMs: number[] }>
  >();
  private readonly distinctByScene = new Map<string, VelocityCall[]>();

  constructor(private readonly loaded: LoadedRule[]) {
    for (const rule of loaded) {
      const list = this.byScene.get(rule.row.scene) ?? [];
      list.push(rule);
      this.byScene.set(rule.row.scene, list);
    }
    for (const [scene, rules] of this.byScene) {
      rules.sort((a, b) => b.row.priority - a.row.priority || a.row.id.localeCompare(b.row.id));
      const windows = new Map<Dimension, number[]>();
      const outcomes = new Map<string, { kind: OutcomeKind; dimension: Dimension; windowsMs: number[] }>();
      const distinct = new Map<string, VelocityCall>();
      const addTo = (list: number[], w: number) => void (list.includes(w) || list.push(w));
      for (const call of rules.flatMap((r) => r.compiled.velocity)) {
        if (call.fn === 'distinct') distinct.set(velocityKey(call), call);
        else if (call.outcome) {
          const key = `${call.outcome}:${call.dimension}`;
          const read = outcomes.get(key) ?? { kind: call.outcome, dimension: call.dimension, windowsMs: [] };
          addTo(read.windowsMs, call.windowMs);
          outcomes.set(key, read);
        } else {
          const list = windows.get(call.dimension) ?? [];
          addTo(list, call.windowMs);
          windows.set(call.dimension, list);
        }
      }
      this.windowsByScene.set(scene, windows);
      this.outcomesByScene.set(scene, [...outcomes.values()]);
      this.distinctByScene.set(scene, [...distinct.values()]);
      this.snapshotByScene.set(scene, snapshotOf(scene, rules));
    }
  }

  /** The outcome windows (stream-fed counters) the scene's rules read, per kind and dimension. */
  outcomeWindows(
    scene: string,
  ): ReadonlyArray<{ kind: OutcomeKind; dimension: Dimension; windowsMs: number[] }> {
    return this.outcomesByScene.get(scene) ?? [];
  }

  /** The distinct() figures the scene's rules read, one per (counted, dimension, window). */
  distinctCalls(scene: string): readonly VelocityCall[] {
    return this.distinctByScene.get(scene) ?? [];
  }

  /** The scene's rule set as the decision log names it (undefined: no rules). */
  snapshot(scene: string): RuleSetSnapshot | undefined {
    return this.snapshotByScene.get(scene);
  }

  snapshots(): RuleSetSnapshot[] {
    return [...this.snapshotByScene.values()];
  }

  forScene(scene: string): readonly LoadedRule[] {
    return this.byScene.get(scene) ?? [];
  }

  /** The windows each dimension's rules read in this scene. */
  windows(scene: string): ReadonlyMap<Dimension, number[]> {
    return this.windowsByScene.get(scene) ?? new Map();
  }

  update(rows: readonly RuleRow[], logger: Logger): RuleSet {
    const known = new Map(this.loaded.map((r) => [`${r.row.id}@${r.row.version}`, r]));
    const next: LoadedRule[] = [];
    for (const row of rows) {
      const existing = known.get(`${row.id}@${row.version}`);
      if (existing) {
        next.push(existing);
        continue;
      }
      try {
        next.push({ row, compiled: compileRule(row.scene, row.expression) });
      } catch (err) {
        // stored rules were checked on write; one that no longer compiles is skipped, loudly
        logger.error({ err, rule: row.id, version: row.version }, 'risk rule does not compile');
      }
    }
    return new RuleSet(next);
  }
}
