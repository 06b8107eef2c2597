import type { Clock } from '../core/clock.js';
import type { Cache } from '../platform/cache/cache.js';
import type { Db, Engine } from '../platform/db/index.js';
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
  /** the database engine: sizes the decision log's inserts (see logBatching) */
  engine?: Engine | undefined;
  /** decision log batching (benchmarks, tests); default: logBatching(engine) */
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
  const engine = new RiskEngine({
    ...deps,
    config: deps.config ?? loadRiskConfig({}),
    log: deps.log ?? logBatching(deps.engine),
  });
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

/**
 * The decision log is written every 50 ms or 500 decisions, in inserts small enough not to hold
 * decisions up: in-process PGlite runs an insert on this thread (about 0.1 ms of CPU per row on
 * the bench machine, so 8 rows stay under 1 ms); with PostgreSQL only the rows' serialisation
 * runs here (a few µs per row), so 25 rows per round trip.
 */
export function logBatching(engine: Engine | undefined): {
  intervalMs: number;
  maxBatch: number;
  chunkRows: number;
} {
  return { intervalMs: 50, maxBatch: 500, chunkRows: engine === 'pglite' ? 8 : 25 };
}
