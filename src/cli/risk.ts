import { systemClock } from '../core/clock.js';
import { createCache } from '../platform/cache/index.js';
import type { Config } from '../platform/config.js';
import { migrateToLatest, openDatabase } from '../platform/db/index.js';
import { recomputeLists } from '../risk/index.js';
import { pgliteDir } from './data-dir.js';
import { progressBar } from './plates.js';

export const RISK_USAGE = 'usage: juhepay risk recompute-lists';

/**
 * `juhepay risk recompute-lists`: the offline tier. Recomputes every automatic list entry from the
 * whole history (progress bar on stderr) and publishes the result to the shared lists.
 */
export async function riskCommand(
  config: Config,
  args: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } } = {
    stdout: process.stdout,
    stderr: process.stderr,
  },
): Promise<number> {
  if (args[0] !== 'recompute-lists' || args.length > 1) {
    io.stderr.write(
      `juhepay risk: ${args[0] ? `unknown command ${JSON.stringify(args[0])}` : 'missing command'}\n${RISK_USAGE}\n`,
    );
    return 2;
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: pgliteDir(config) });
  const cache = createCache({ redisUrl: config.redisUrl, prefix: config.redisKeyPrefix, clock: systemClock });
  try {
    await migrateToLatest(database.db);
    const result = await recomputeLists({ db: database.db, cache }, progressBar(io.stderr, 'refunds'));
    io.stdout.write(`recomputed automatic lists: ${result.outcomes} outcomes, ${result.subjects} subjects\n`);
    if (!config.redisUrl)
      io.stdout.write(
        '(no REDIS_URL: running gateways pick the entries up from the database when they restart)\n',
      );
    return 0;
  } finally {
    await cache.close();
    await database.close();
  }
}
