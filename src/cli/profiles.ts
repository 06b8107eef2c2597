import { systemClock } from '../core/clock.js';
import type { Config } from '../platform/config.js';
import { recomputeProfiles } from '../profiles/index.js';
import { PROCESS_IO, runMaintenance, type CommandIo } from './maintenance.js';
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
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const command = { group: 'profiles', subcommand: 'recompute', usage: PROFILES_USAGE };
  return runMaintenance(config, args, io, command, async ({ db, cache, engine }) => {
    const result = await recomputeProfiles(
      { db, cache, clock: systemClock, engine },
      { onProgress: progressBar(io.stderr, 'subject events') },
    );
    io.stdout.write(
      `recomputed profiles: state version ${result.version}, ${result.events} events, ${result.subjects} subjects, ${result.states} tag states\ndigest ${result.digest}\n`,
    );
    if (!config.redisUrl)
      io.stdout.write('(no REDIS_URL: the serving cache of a running gateway refills as events arrive)\n');
    return 0;
  });
}
