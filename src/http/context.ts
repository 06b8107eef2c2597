import type { ChannelRegistry } from '../channels/registry.js';
import type { Clock } from '../core/clock.js';
import type { Cache } from '../platform/cache/cache.js';
import type { Db, Engine } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { SecretBox } from '../platform/secret-box.js';
import type { Stream } from '../platform/stream/stream.js';
import type { Risk } from '../risk/index.js';

/** Everything the HTTP layer needs, built once by the CLI (or by a test) and passed in. */
export interface AppContext {
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
  /** channel adapters and merchants' channel configurations */
  channels: ChannelRegistry;
  /** waits between inline channel polls (payment codes); tests move their clock instead */
  sleep: (ms: number) => Promise<void>;
  /** set when shutdown begins: /readyz answers 503 so load balancers drain this node */
  lifecycle: { shuttingDown: boolean };
  /** risk control (CONTRACT §8); absent only in tests that build a bare context */
  risk?: Risk | undefined;
}
