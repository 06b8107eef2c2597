import { systemClock } from '../core/clock.js';
import { createCache } from '../platform/cache/index.js';
import type { Config } from '../platform/config.js';
import { migrateToLatest, openDatabase } from '../platform/db/index.js';
import { recomputeProfiles } from '../profiles/index.js';
import { pgliteDir } from './data-dir.js';
import { progressBar } from './plates.js';

export const PROFILES_USAGE = 'usage: juhepay profiles recompute';

/**
 * `juhepay profiles recompute`: replays the profile journal through the same fold as the stream
 * consumer into a new state version, switches to it atomically (progress bar on stderr), and
 * prints the digest (equal to the incremental state's).
 */
export async function profilesCommand(
  config: Config,
  args: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } } = {
    stdout: process.stdout,
    stderr: process.stderr,
  },
): Promise<number> {
  if (args[0] !== 'recompute' || args.length > 1) {
    io.stderr.write(
      `juhepay profiles: ${args[0] ? `unknown command ${JSON.stringify(args[0])}` : 'missing command'}\n${PROFILES_USAGE}\n`,
    );
    return 2;
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: pgliteDir(config) });
  const cache = createCache({ redisUrl: config.redisUrl, prefix: config.redisKeyPrefix, clock: systemClock });
  try {
    await migrateToLatest(database.db);
    const result = await recomputeProfiles(
      { db: database.db, cache, clock: systemClock },
      { onProgress: progressBar(io.stderr, 'events') },
    );
    io.stdout.write(
      `recomputed profiles: state version ${result.version}, ${result.events} events, ${result.subjects} subjects, ${result.states} tag states\ndigest ${result.digest}\n`,
    );
    if (!config.redisUrl)
      io.stdout.write('(no REDIS_URL: the serving cache of a running gateway refills as events arrive)\n');
    return 0;
  } finally {
    await cache.close();
    await database.close();
  }
}
