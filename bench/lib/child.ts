import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, CpuMessage, ParentMessage, ReadyMessage } from '../servers/protocol.js';

/** A benchmark server running in its own Node process. */
export interface ServerChild {
  ready: ReadyMessage;
  /** CPU microseconds (user + system) the child has used so far */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

/** Forks bench/servers/<name>.ts under tsx and waits for its ready message. */
export async function startServer(name: string): Promise<ServerChild> {
  const file = fileURLToPath(new URL(`../servers/${name}.ts`, import.meta.url));
  // Plain node + the tsx loader: no tsx CLI wrapper process, no watch, no source of extra noise.
  const child = fork(file, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await waitFor<ReadyMessage>(child, 'ready', START_TIMEOUT_MS).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  return {
    ready,
    async cpuMicros() {
      const reply = waitFor<CpuMessage>(child, 'cpu', 5_000);
      send(child, { type: 'cpu' });
      const { user, system } = await reply;
      return user + system;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      send(child, { type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000); // a hung close must not hang the run
      await exited;
      clearTimeout(timer);
    },
  };
}

function send(child: ChildProcess, message: ParentMessage): void {
  child.send(message);
}

function waitFor<T extends ChildMessage>(
  child: ChildProcess,
  type: T['type'],
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: ChildMessage) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`server child exited (code ${code}) before sending ${type}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`server child sent no ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
