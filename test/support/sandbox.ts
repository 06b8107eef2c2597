import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/platform/logger.js';
import type { SandboxContext } from '../../src/sandbox/context.js';
import { FaultTable } from '../../src/sandbox/faults.js';
import { generateSandboxKeys } from '../../src/sandbox/keygen.js';
import type { SandboxKeys } from '../../src/sandbox/keys.js';
import { HttpNotifier } from '../../src/sandbox/notifier.js';
import { PayCodeBook } from '../../src/sandbox/paycodes.js';
import { buildSandboxApp, type SandboxPlugin } from '../../src/sandbox/server.js';

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
  close(): Promise<void>;
}

/** A sandbox server on 127.0.0.1:<random> with the given channel plugins; timeScale compresses retry schedules. */
export async function startTestSandbox(
  plugins: readonly SandboxPlugin[],
  options: { timeScale?: number } = {},
): Promise<TestSandbox> {
  const clock = systemClock;
  const faults = new FaultTable();
  const timeScale = options.timeScale ?? 1000;
  const ctx: SandboxContext = {
    clock,
    keys: await testSandboxKeys(),
    baseUrl: '',
    notifier: new HttpNotifier(faults, clock, timeScale, silentLogger),
    faults,
    paycodes: new PayCodeBook(),
    logger: silentLogger,
    timeScale,
  };
  const app = await buildSandboxApp(ctx, plugins);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  ctx.baseUrl = url;
  return {
    url,
    ctx,
    app,
    close: async () => {
      await ctx.notifier.close();
      await app.close();
    },
  };
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
