import type { Config } from '../platform/config.js';
import { recomputeLists } from '../risk/index.js';
import { PROCESS_IO, runMaintenance, type CommandIo } from './maintenance.js';
import { progressBar } from './plates.js';

export const RISK_USAGE = 'usage: juhepay risk recompute-lists';

/**
 * `juhepay risk recompute-lists`: the offline tier. Recomputes every automatic list entry from the
 * whole history (progress bar on stderr) and publishes the result to the shared lists.
 */
export async function riskCommand(
  config: Config,
  args: readonly string[],
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const command = { group: 'risk', subcommand: 'recompute-lists', usage: RISK_USAGE };
  return runMaintenance(config, args, io, command, async ({ db, cache }) => {
    const result = await recomputeLists({ db, cache }, progressBar(io.stderr, 'refunds'));
    io.stdout.write(`recomputed automatic lists: ${result.outcomes} outcomes, ${result.subjects} subjects\n`);
    if (!config.redisUrl)
      io.stdout.write(
        '(no REDIS_URL: running gateways pick the entries up from the database when they restart)\n',
      );
    return 0;
  });
}
