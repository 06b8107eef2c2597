import type { Clock } from '../core/clock.js';
import type { Cache } from './cache/cache.js';
import type { Db, Engine } from './db/index.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { SecretBox } from './secret-box.js';
import type { Stream } from './stream/stream.js';

/**
 * The infrastructure a process opens once (database, cache, stream, keys, clock) and passes to
 * every module's routes, jobs and consumers. Modules take it as a parameter; none looks it up.
 * A module that needs more (payments: the channel registry) extends it in its own types.
 */
export interface PlatformContext {
  db: Db;
  engine: Engine;
  cache: Cache;
  stream: Stream;
  clock: Clock;
  logger: Logger;
  box: SecretBox;
  metrics: Metrics;
  adminToken: string;
  publicUrl: string;
  /** waits between inline channel polls (payment codes); tests move their clock instead */
  sleep: (ms: number) => Promise<void>;
  /** set when shutdown begins: /readyz answers 503 so load balancers drain this node */
  lifecycle: { shuttingDown: boolean };
}
