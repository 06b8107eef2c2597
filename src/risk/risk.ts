import type { Clock } from '../core/clock.js';
import type { Cache } from '../platform/cache/cache.js';
import type { Db } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { loadRiskConfig, type RiskConfig } from './config.js';
import { RiskEngine, type ProfileSummaryReader } from './engine.js';
import { paymentCheck, refundCheck, type PaymentRiskCheck, type RefundRiskCheck } from './hooks.js';
import { syncSharedLists } from './operations.js';

/** The module's object: the engine and the checks payments call, built once per process. */

export interface RiskDeps {
  db: Db;
  cache: Cache;
  clock: Clock;
  logger: Logger;
  config?: RiskConfig | undefined;
  /** the serving cache's profile summaries for `profile.<tag>` in rules (profiles module) */
  profile?: ProfileSummaryReader | undefined;
  /** decision log batching (benchmarks, tests); default every 50 ms or 500 decisions, one insert per batch */
  log?: { intervalMs: number; maxBatch: number; chunkRows?: number } | undefined;
}

export interface Risk {
  engine: RiskEngine;
  deps: RiskDeps;
  payment: PaymentRiskCheck;
  refund: RefundRiskCheck;
  /** writes the buffered decision log (tests, shutdown) */
  flush(): Promise<void>;
}

/** Builds the engine and makes sure the shared lists hold the database's entries. */
export async function createRisk(deps: RiskDeps): Promise<Risk> {
  const engine = new RiskEngine({ ...deps, config: deps.config ?? loadRiskConfig({}) });
  await syncSharedLists(deps, true).catch((err: unknown) =>
    deps.logger.warn({ err }, 'risk lists not synced to the cache at start'),
  );
  return {
    engine,
    deps,
    payment: paymentCheck(engine),
    refund: refundCheck(engine),
    flush: () => engine.log.flush(),
  };
}
