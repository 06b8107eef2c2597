import type { AddressInfo } from 'node:net';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../platform/logger.js';
import type { SandboxContext } from './context.js';
import { FaultTable } from './faults.js';
import { loadOrCreateSandboxKeys } from './keygen.js';
import type { SandboxKeys } from './keys.js';
import { HttpNotifier } from './notifier.js';
import { PayCodeBook } from './paycodes.js';
import { SandboxScheduler } from './scheduler.js';
import { SANDBOX_PLUGINS } from './plugins.js';
import { buildSandboxApp } from './server.js';

export interface SandboxOptions {
  dataDir: string;
  host: string;
  port: number;
  /** channel delays are divided by this (SANDBOX_TIME_SCALE); 1 = real time */
  timeScale: number;
  clock: Clock;
  logger: Logger;
}

export interface RunningSandbox {
  url: string;
  keys: SandboxKeys;
  close(): Promise<void>;
}

/** Starts the channel simulators on their own port, with keys kept in the data folder. */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const keys = await loadOrCreateSandboxKeys(options.dataDir);
  const faults = new FaultTable();
  const scheduler = new SandboxScheduler(options.clock, options.timeScale, (error) =>
    options.logger.error({ err: error }, 'sandbox task failed'),
  );
  const ctx: SandboxContext = {
    clock: options.clock,
    keys,
    baseUrl: `http://${options.host}:${options.port}`,
    notifier: new HttpNotifier(faults, options.clock, scheduler, options.logger),
    faults,
    paycodes: new PayCodeBook(),
    logger: options.logger,
    scheduler,
  };
  const app = await buildSandboxApp(ctx, SANDBOX_PLUGINS);
  await app.listen({ host: options.host, port: options.port });
  const port = (app.server.address() as AddressInfo).port;
  ctx.baseUrl = `http://${options.host}:${port}`;
  return {
    url: ctx.baseUrl,
    keys,
    close: async () => {
      scheduler.close(); // held requests are released before the server waits for them
      await ctx.notifier.close();
      await app.close();
    },
  };
}
