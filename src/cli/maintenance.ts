import { systemClock } from '../core/clock.js';
import { createCache, type Cache } from '../platform/cache/index.js';
import type { Config } from '../platform/config.js';
import { openDatabase, type Db, type Engine } from '../platform/db/index.js';
import { pgliteDir } from './data-dir.js';
import { migrateDatabase } from './migrate.js';

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const PROCESS_IO: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/**
 * A maintenance command with one subcommand (`juhepay <group> <subcommand>`): refuses anything
 * else with its usage (exit 2), else runs `body` on the migrated database and the cache and closes
 * both whatever happens.
 */
export async function runMaintenance(
  config: Config,
  args: readonly string[],
  io: CommandIo,
  command: { group: string; subcommand: string; usage: string },
  body: (deps: { db: Db; cache: Cache; engine: Engine }) => Promise<number>,
): Promise<number> {
  if (args[0] !== command.subcommand || args.length > 1) {
    const problem = args[0] ? `unknown command ${JSON.stringify(args[0])}` : 'missing command';
    io.stderr.write(`juhepay ${command.group}: ${problem}\n${command.usage}\n`);
    return 2;
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: pgliteDir(config) });
  const cache = createCache({ redisUrl: config.redisUrl, prefix: config.redisKeyPrefix, clock: systemClock });
  try {
    await migrateDatabase(database.db);
    return await body({ db: database.db, cache, engine: database.engine });
  } finally {
    await cache.close();
    await database.close();
  }
}
