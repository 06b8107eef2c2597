import { systemClock, type Clock } from '../core/clock.js';
import type { AppContext } from '../http/context.js';
import { createCache } from '../platform/cache/index.js';
import type { Config } from '../platform/config.js';
import { migrateToLatest, openDatabase, type Database } from '../platform/db/index.js';
import { pgliteDir } from './data-dir.js';
import { checkMasterKey, loadMasterKey, resolveAdminToken } from '../platform/keys.js';
import type { Logger } from '../platform/logger.js';
import { createMetrics } from '../platform/metrics.js';
import { SecretBox } from '../platform/secret-box.js';
import { createStream } from '../platform/stream/index.js';
import { ConfigError } from '../platform/config.js';

/** Opens everything a process needs (database, cache, stream, keys) from the configuration. */
export interface Runtime {
  config: Config;
  ctx: AppContext;
  database: Database;
  masterKeyGenerated: boolean;
  close(): Promise<void>;
}

/**
 * The domain modules a runtime wires, loaded while the database opens (PGlite's start is mostly
 * waiting on WebAssembly and files), so a start pays for the slower of the two, not their sum.
 */
function loadDomainModules() {
  return Promise.all([
    import('../channels/index.js'),
    import('../merchants/index.js'),
    import('../notifications/index.js'),
    import('../risk/index.js'),
    import('../profiles/index.js'),
  ]);
}


/**
 * `opening`: the database, when the caller started opening it already (`start` does so before it
 * loads the rest of the server, so PGlite's start overlaps the module loading).
 */
export async function boot(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
  opening?: Promise<Database>,
): Promise<Runtime> {
  const master = loadMasterKey(config);
  const box = new SecretBox(master.key);
  const modules = loadDomainModules();
  modules.catch(() => undefined); // awaited below; a failed import must not go unhandled meanwhile
  const database = await (opening ?? openDatabase({ url: config.databaseUrl, dataDir: pgliteDir(config) }));
  const closers: Array<() => Promise<void>> = [() => database.close()];
  const close = async () => {
    for (const closer of closers.reverse())
      await closer().catch((err) => logger.warn({ err }, 'close failed'));
  };
  try {
    const [
      { ChannelRegistry, createChannelAdapters },
      { channelConfigSource },
      { loadWebhookConfig },
      risks,
      { profileSummaryReader },
    ] = await modules;
    const { createRisk, loadRiskConfig, RiskConfigError } = risks;
    const applied = await migrateToLatest(database.db);
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');
    loadWebhookConfig(process.env, database.engine); // a bad webhook setting stops the start here
    await checkMasterKey(database.db, box, clock);
    const adminToken = await resolveAdminToken(database.db, box, config.adminToken, clock);
    const cache = createCache({ redisUrl: config.redisUrl, prefix: config.redisKeyPrefix, clock });
    closers.push(() => cache.close());
    await cache.ping();
    const stream = await createStream({ natsUrl: config.natsUrl, prefix: config.natsStreamPrefix });
    closers.push(() => stream.close());
    let riskConfig;
    try {
      riskConfig = loadRiskConfig(process.env);
    } catch (error) {
      if (error instanceof RiskConfigError) throw new ConfigError(error.variable, error.problem);
      throw error;
    }
    const risk = await createRisk({
      db: database.db,
      cache,
      clock,
      logger,
      config: riskConfig,
      profile: profileSummaryReader(cache), // rules read profile.<tag> from the serving cache
    });
    closers.push(() => risk.flush());
    const ctx: AppContext = {
      db: database.db,
      engine: database.engine,
      cache,
      stream,
      clock,
      logger,
      box,
      metrics: createMetrics(),
      adminToken,
      publicUrl: config.publicUrl,
      // adapters read each merchant's channel configuration (its own over its service provider's)
      channels: new ChannelRegistry(
        channelConfigSource(database.db, box, clock),
        createChannelAdapters(clock),
      ),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      lifecycle: { shuttingDown: false },
      risk,
    };
    return { config, ctx, database, masterKeyGenerated: master.generated, close };
  } catch (error) {
    await close();
    throw error;
  }
}
