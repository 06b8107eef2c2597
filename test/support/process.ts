import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { waitUntil } from './wait.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Running {
  child: ChildProcess;
  output(): string;
  /** the exit code, once the process ends by itself */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code */
  stop(): Promise<number | null>;
}

/** Runs `juhepay <args>` from source (tsx) with the given environment. */
export function runJuhepay(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls until check returns a value, failing after timeoutMs (or when the process exits) with its output. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
  running?: Running,
): Promise<T> {
  try {
    return (await waitUntil(check, what, {
      timeoutMs,
      intervalMs: 25,
      abort: () => (running && running.child.exitCode !== null ? 'process exited' : undefined),
    })) as T;
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${running?.output() ?? ''}`);
  }
}

export async function waitForReady(baseUrl: string, running: Running, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      try {
        const res = await fetch(`${baseUrl}/readyz`);
        return res.status === 200 ? true : undefined;
      } catch {
        return undefined;
      }
    },
    timeoutMs,
    `${baseUrl}/readyz`,
    running,
  );
}

export function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}
