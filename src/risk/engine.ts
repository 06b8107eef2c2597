import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { Cache } from '../platform/cache/cache.js';
import type { Db } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { sceneEnvironment, sceneRoot, setVelocity, velocityKey, PROFILE_TAGS } from './cel.js';
import { failureModeOf, type RiskConfig } from './config.js';
import { combine, failureDecision, type Reason, type RuleResult } from './decide.js';
import { DecisionLog } from './decision-log.js';
import { ListIndex, type ListHit, type Subjects } from './lists.js';
import { RuleSet, type LoadedRule } from './rule-set.js';
import { loggedResults, type LoggedResults } from './rule-results.js';
import { LISTS_MAP, RULES_VERSION_KEY, parseListMap } from './shared-state.js';
import { currentRules, type DecisionRow } from './store.js';
import type { Decision } from './tables.js';
import {
  attemptsKey,
  distinctBucketMs,
  distinctKey,
  DIMENSIONS,
  KEEP_MS,
  outcomesKey,
  type Dimension,
} from './windows.js';

/**
 * The real-time tier: one decision per call, inline. Per decision it checks the shared versions
 * (one round trip), reloads lists or rules only when another node changed them, reads and bumps
 * the velocity windows of this attempt, evaluates the scene's rules and logs everything.
 */

export interface DecisionRequest {
  scene: string;
  merchantId?: string | undefined;
  amount?: number | undefined;
  channel?: string | undefined;
  /** `<channel>:<payer id>` */
  payer?: string | undefined;
  /** `<merchant_id>:<customer_id>` */
  customer?: string | undefined;
  ip?: string | undefined;
  device?: string | undefined;
  orderId?: string | undefined;
  /** event type, for scenes other than payment */
  type?: string | undefined;
  attributes?: Record<string, string> | undefined;
  /** names this attempt in the velocity windows: deciding the same attempt again does not count it twice */
  attemptKey?: string | undefined;
}

export interface RiskDecision {
  id: string;
  decision: Decision;
  reasons: Reason[];
}

export interface RiskEngineDeps {
  db: Db;
  cache: Cache;
  clock: Clock;
  logger: Logger;
  config: RiskConfig;
  /** `profile.<tag>` of the rules: the serving cache's summaries (the customer's, else the payer's) */
  profile?: ProfileSummaryReader | undefined;
  /** decision log batching (default: every 50 ms or 500 decisions, one insert per batch) */
  log?: { intervalMs: number; maxBatch: number; chunkRows?: number } | undefined;
}

/** Injected by the composition point (profiles' serving-cache reader); absent = empty profiles. */
export type ProfileSummaryReader = (subjects: {
  customer?: string | undefined;
  payer?: string | undefined;
}) => Promise<Record<string, { top: string; confidence: number }>>;

class CacheTimeout extends Error {}

export class RiskEngine {
  private lists = new ListIndex([]);
  private listVersion = -1;
  private rules = new RuleSet([]);
  private rulesVersion = -1;
  private reloading: Promise<void> | undefined;
  readonly log: DecisionLog;

  constructor(private readonly deps: RiskEngineDeps) {
    this.log = new DecisionLog(
      deps.db,
      deps.logger,
      deps.log?.intervalMs,
      deps.log?.maxBatch,
      deps.log?.chunkRows,
    );
    // after a reconnect we may have missed changes: start from the shared state again
    deps.cache.onReconnect(() => this.invalidate());
  }

  invalidate(): void {
    this.listVersion = -1;
    this.rulesVersion = -1;
  }

  async decide(request: DecisionRequest): Promise<RiskDecision> {
    const started = process.hrtime.bigint();
    const now = this.deps.clock.nowMs();
    const id = newId('riskDecision', now);
    let velocity: Map<string, number>;
    let profile: Record<string, unknown> = EMPTY_PROFILE;
    try {
      // one deadline for the whole cache part: the version check and the windows
      velocity = await this.withTimeout(this.syncThenVelocity(request, now));
      if (this.deps.profile && this.rules.forScene(request.scene).length > 0)
        profile = withProfile(await this.withTimeout(this.deps.profile(request)));
    } catch (error) {
      return this.cacheDown(id, request, error, started);
    }
    const subjects: Subjects = {
      payer: request.payer,
      customer: request.customer,
      device: request.device,
      ip: request.ip,
      merchant: request.merchantId,
    };
    const hit = this.lists.verdict(subjects, now);
    const rules = this.rules.forScene(request.scene);
    const outcomes = this.evaluate(request, rules, velocity, profile);
    const { decision, reasons } = combine(hit, firedResults(rules, outcomes));
    const latencyUs = Number((process.hrtime.bigint() - started) / 1000n);
    // the row is built when the log is flushed, off the decision's path
    const set = this.rules.snapshot(request.scene)?.id ?? '';
    this.log.add(() =>
      logRow(
        id,
        request,
        decision,
        reasons,
        loggedResults(set, rules, outcomes),
        { velocity, hit },
        latencyUs,
        now,
      ),
    );
    return { id, decision, reasons };
  }

  private async syncThenVelocity(request: DecisionRequest, now: number): Promise<Map<string, number>> {
    await this.sync();
    return this.velocity(request, now);
  }

  /** Reloads lists and rules when the shared versions moved (another node, or us, changed them). */
  private async sync(): Promise<void> {
    const [lists, rules] = await this.deps.cache.getMany([`${LISTS_MAP}:version`, RULES_VERSION_KEY]);
    if (Number(lists ?? 0) === this.listVersion && Number(rules ?? 0) === this.rulesVersion) return;
    // concurrent decisions share one reload
    this.reloading ??= this.reload(Number(lists ?? 0), Number(rules ?? 0)).finally(() => {
      this.reloading = undefined;
    });
    await this.reloading;
  }

  private async reload(listVersion: number, rulesVersion: number): Promise<void> {
    if (listVersion !== this.listVersion) {
      const map = await this.deps.cache.mapRead(LISTS_MAP);
      this.lists = new ListIndex(parseListMap(map.entries));
      this.listVersion = map.version;
    }
    if (rulesVersion !== this.rulesVersion) {
      const rows = await currentRules(this.deps.db);
      this.rules = this.rules.update(rows, this.deps.logger);
      this.log.addRuleSets(this.rules.snapshots());
      this.rulesVersion = rulesVersion;
    }
  }

  /**
   * Adds this attempt to each dimension's window and reads, once per decision, every figure the
   * scene's rules use: attempt windows, outcome windows (fed by the stream consumer) and
   * distinct counts. Rules then only look figures up.
   */
  private async velocity(request: DecisionRequest, now: number): Promise<Map<string, number>> {
    const values = new Map<string, number>();
    const needed = this.rules.windows(request.scene);
    const reads: Array<Promise<void>> = DIMENSIONS.map(async (dimension: Dimension) => {
      const value = request[dimension];
      if (!value) return;
      const windowsMs = needed.get(dimension) ?? [];
      const totals = await this.deps.cache.window(attemptsKey(request.scene, dimension, value), {
        nowMs: now,
        keepMs: KEEP_MS,
        add: request.attemptKey
          ? { member: request.attemptKey, atMs: now, amount: request.amount ?? 0 }
          : undefined,
        windowsMs,
      });
      windowsMs.forEach((w, i) => {
        values.set(`count:${dimension}:${w}`, totals[i]!.count);
        values.set(`sum:${dimension}:${w}`, totals[i]!.sum);
      });
    });
    for (const { kind, dimension, windowsMs } of this.rules.outcomeWindows(request.scene)) {
      const value = request[dimension];
      if (!value) continue;
      reads.push(
        this.deps.cache
          .window(outcomesKey(kind, dimension, value), { nowMs: now, keepMs: KEEP_MS, windowsMs })
          .then((totals) =>
            windowsMs.forEach((w, i) => {
              values.set(`count:${dimension}:${w}:${kind}`, totals[i]!.count);
              values.set(`sum:${dimension}:${w}:${kind}`, totals[i]!.sum);
            }),
          ),
      );
    }
    for (const call of this.rules.distinctCalls(request.scene)) {
      const value = request[call.dimension];
      if (!value || !call.counted) continue;
      reads.push(
        this.deps.cache
          .distinctWindow(distinctKey(request.scene, call.dimension, value, call.counted), {
            nowMs: now,
            windowMs: call.windowMs,
            bucketMs: distinctBucketMs(call.windowMs),
            add: request.attemptKey ? request[call.counted] : undefined,
          })
          .then((n) => void values.set(velocityKey(call), n)),
      );
    }
    await Promise.all(reads);
    return values;
  }

  /** Each rule's result, in the rule set's order: true / false, or the error's message. */
  private evaluate(
    request: DecisionRequest,
    rules: readonly LoadedRule[],
    velocity: Map<string, number>,
    profile: Record<string, unknown>,
  ): Array<boolean | string> {
    const outcomes: Array<boolean | string> = new Array<boolean | string>(rules.length);
    if (rules.length === 0) return outcomes;
    const { slot, root } = sceneEnvironment(request.scene);
    setVelocity(slot, velocity);
    const activation = { [root]: facts(request), profile };
    for (let i = 0; i < rules.length; i++) {
      try {
        outcomes[i] = rules[i]!.compiled.evaluate(activation) === true;
      } catch (error) {
        outcomes[i] = `error: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    return outcomes;
  }

  private cacheDown(id: string, request: DecisionRequest, error: unknown, started: bigint): RiskDecision {
    const mode = failureModeOf(this.deps.config, request.scene);
    const decision = failureDecision(mode);
    const reasons: Reason[] = [{ rule_id: null, name: `cache_unavailable:fail_${mode}` }];
    this.deps.logger.warn({ err: error, scene: request.scene, mode }, 'risk cache unavailable');
    const latencyUs = Number((process.hrtime.bigint() - started) / 1000n);
    const now = this.deps.clock.nowMs();
    const results = loggedResults('', [], []);
    this.log.add(() =>
      logRow(id, request, decision, reasons, results, { cache_error: String(error) }, latencyUs, now),
    );
    return { id, decision, reasons };
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CacheTimeout('risk cache timed out')),
        this.deps.config.cacheTimeoutMs,
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

/** The rules that fired, as combine() reads them (usually few: the rest are not allocated). */
function firedResults(rules: readonly LoadedRule[], outcomes: ReadonlyArray<boolean | string>): RuleResult[] {
  const fired: RuleResult[] = [];
  for (let i = 0; i < rules.length; i++) {
    if (outcomes[i] !== true) continue;
    const { row } = rules[i]!;
    fired.push({
      rule_id: row.id,
      version: row.version,
      name: row.name,
      action: row.action,
      mode: row.mode,
      priority: row.priority,
      result: true,
    });
  }
  return fired;
}

function logRow(
  id: string,
  request: DecisionRequest,
  decision: Decision,
  reasons: Reason[],
  results: LoggedResults,
  seen: { velocity?: Map<string, number>; hit?: ListHit | undefined; cache_error?: string },
  latencyUs: number,
  atMs: number,
): DecisionRow {
  const { attributes, ...fields } = request;
  return {
    id,
    scene: request.scene,
    merchant_id: request.merchantId ?? null,
    subjects: [
      request.payer,
      request.customer,
      request.ip,
      request.device,
      request.merchantId,
      request.orderId,
    ].filter((s): s is string => !!s),
    decision,
    reasons,
    rules: results,
    inputs: {
      ...fields,
      ...(attributes ? { attributes } : {}),
      ...(seen.velocity ? { velocity: Object.fromEntries(seen.velocity) } : {}),
      ...(seen.hit ? { list: { list: seen.hit.list, entry_id: seen.hit.entry.id } } : {}),
      ...(seen.cache_error ? { cache_error: seen.cache_error } : {}),
    },
    latency_us: latencyUs,
    created_at: new Date(atMs),
  };
}

const EMPTY_PROFILE: Record<string, unknown> = Object.fromEntries(
  PROFILE_TAGS.map((t) => [t, { top: '', confidence: 0 }]),
);

/** The built-in tags the CEL environment declares, from the summaries (a missing one stays empty). */
function withProfile(
  summaries: Record<string, { top: string; confidence: number }>,
): Record<string, unknown> {
  return Object.fromEntries(PROFILE_TAGS.map((t) => [t, summaries[t] ?? EMPTY_PROFILE[t]]));
}

/** The scene's variable: every field present (empty when unknown) so rules never miss a key. */
function facts(request: DecisionRequest): Record<string, unknown> {
  const base = {
    amount: BigInt(request.amount ?? 0),
    merchant_id: request.merchantId ?? '',
    channel: request.channel ?? '',
    payer: request.payer ?? '',
    customer: request.customer ?? '',
    ip: request.ip ?? '',
    device: request.device ?? '',
  };
  if (sceneRoot(request.scene) === 'payment') return base;
  return {
    ...base,
    type: request.type ?? request.scene,
    order_id: request.orderId ?? '',
    attributes: request.attributes ?? {},
  };
}
