import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/platform/logger.js';
import type { SandboxContext } from '../../src/sandbox/context.js';
import { FaultTable } from '../../src/sandbox/faults.js';
import { generateSandboxKeys } from '../../src/sandbox/keygen.js';
import type { SandboxKeys } from '../../src/sandbox/keys.js';
import { HttpNotifier } from '../../src/sandbox/notifier.js';
import { PayCodeBook } from '../../src/sandbox/paycodes.js';
import { SandboxScheduler } from '../../src/sandbox/scheduler.js';
import { buildSandboxApp, type SandboxPlugin } from '../../src/sandbox/server.js';
import { waitUntil } from './wait.js';

let keys: Promise<SandboxKeys> | undefined;
/** One key set per test file: generating RSA keys takes most of a second. */
export function testSandboxKeys(): Promise<SandboxKeys> {
  keys ??= generateSandboxKeys();
  return keys;
}

export interface TestSandbox {
  url: string;
  ctx: SandboxContext;
  app: FastifyInstance;
  /** the sandbox's time: nothing scheduled happens until it is moved (by `advance` or by its other users) */
  clock: ManualClock;
  /**
   * Moves the clock by `channelMs`, running each delay that falls due at its own time (a retry
   * counts from the failed attempt before it), and resolves once what they started has settled:
   * notifications delivered and answered, held requests dropped.
   */
  advance(channelMs: number): Promise<void>;
  /** resolves once the work in flight (e.g. notifications being delivered) has settled */
  settled(): Promise<void>;
  /** resolves once `count` requests are held by a `timeout` fault (they go when the clock moves 30 s) */
  held(count?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A sandbox server on 127.0.0.1:<random> with the given channel plugins, on a ManualClock (its
 * own, or one shared with the app under test so that both live in the same time).
 */
export async function startTestSandbox(
  plugins: readonly SandboxPlugin[],
  options: { clock?: ManualClock } = {},
): Promise<TestSandbox> {
  const clock = options.clock ?? new ManualClock(Date.now());
  const faults = new FaultTable();
  const scheduler = new SandboxScheduler(clock, 1, (error) => {
    throw error; // a failing sandbox task fails the test
  });
  const ctx: SandboxContext = {
    clock,
    keys: await testSandboxKeys(),
    baseUrl: '',
    notifier: new HttpNotifier(faults, clock, scheduler, silentLogger),
    faults,
    paycodes: new PayCodeBook(),
    logger: silentLogger,
    scheduler,
  };
  const app = await buildSandboxApp(ctx, plugins);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  ctx.baseUrl = url;
  return {
    url,
    ctx,
    app,
    clock,
    advance: (ms) => scheduler.advance(ms),
    settled: () => scheduler.idle(),
    held: async (count = 1) => {
      // the request travels over a real socket: wait (bounded) until the simulator holds it
      await waitUntil(() => scheduler.holding() >= count, `${count} held request(s)`);
    },
    close: async () => {
      scheduler.close();
      await ctx.notifier.close();
      await app.close();
    },
  };
}

/**
 * A deterministic wait on state: lets the sandbox's work in flight settle (notifications delivered
 * and answered), then asks `check`, up to `rounds` times — a check may move the clock or run jobs,
 * which starts more work. No real time is waited on; failing after the rounds names `what`.
 */
export async function settledState<T>(
  sandbox: TestSandbox,
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  rounds = 30,
): Promise<T> {
  for (let round = 0; round < rounds; round++) {
    await sandbox.settled();
    const value = await check();
    if (value !== undefined) return value;
  }
  throw new Error(`${what}: not reached in ${rounds} rounds`);
}

export interface ReceivedNotification {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** A merchant-side HTTP endpoint that records what it receives and answers as `respond` says. */
export async function startNotifyReceiver(
  respond: (n: ReceivedNotification, index: number) => { status: number; body?: string } = () => ({
    status: 200,
  }),
): Promise<{ url: string; received: ReceivedNotification[]; close(): Promise<void> }> {
  const received: ReceivedNotification[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const n = { headers: req.headers, body, at: Date.now() };
      received.push(n);
      const answer = respond(n, received.length - 1);
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
