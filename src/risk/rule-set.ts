import type { Logger } from '../platform/logger.js';
import { compileRule, type CompiledRule } from './cel.js';
import { snapshotOf, type RuleSetSnapshot } from './rule-results.js';
import type { RuleRow } from './store.js';
import type { Dimension } from './windows.js';

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

  constructor(private readonly loaded: LoadedRule[]) {
    for (const rule of loaded) {
      const list = this.byScene.get(rule.row.scene) ?? [];
      list.push(rule);
      this.byScene.set(rule.row.scene, list);
    }
    for (const [scene, rules] of this.byScene) {
      rules.sort((a, b) => b.row.priority - a.row.priority || a.row.id.localeCompare(b.row.id));
      const windows = new Map<Dimension, number[]>();
      for (const call of rules.flatMap((r) => r.compiled.velocity)) {
        const list = windows.get(call.dimension) ?? [];
        if (!list.includes(call.windowMs)) list.push(call.windowMs);
        windows.set(call.dimension, list);
      }
      this.windowsByScene.set(scene, windows);
      this.snapshotByScene.set(scene, snapshotOf(scene, rules));
    }
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
