import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS, postWebhook } from '../../src/notifications/http-post.js';

// The POST itself against a local server: the real 10 s timeout against a 15 s endpoint,
// redirects, a body that never ends, and a closed port. No database.

describe('postWebhook', () => {
  let server: Server;
  let base: string;
  const open = new Set<import('node:http').ServerResponse>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/slow') {
          open.add(res);
          setTimeout(() => res.writeHead(200).end('late'), 15_000).unref();
        } else if (req.url === '/trickle') {
          open.add(res);
          res.writeHead(500);
          res.write('partial');
        } else if (req.url === '/moved') res.writeHead(301, { location: '/elsewhere' }).end();
        else res.writeHead(200).end('SUCCESS');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of open) res.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const options = { allowPrivate: true, timeoutMs: DEFAULT_TIMEOUT_MS };

  it('gives up on a 15 s endpoint after 10 s', { timeout: 20_000 }, async () => {
    const result = await postWebhook(`${base}/slow`, '{}', {}, options);
    expect(result).toMatchObject({
      acknowledged: false,
      statusCode: null,
      error: 'timed out after 10000 ms',
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(9_900);
    expect(result.latencyMs).toBeLessThan(11_500);
  });

  it('stops reading a body that never ends at the timeout, keeping what arrived', async () => {
    const result = await postWebhook(`${base}/trickle`, '{}', {}, { ...options, timeoutMs: 300 });
    expect(result).toMatchObject({ acknowledged: false, statusCode: 500, excerpt: 'partial' });
    expect(result.error).toMatch(/timed out/);
  });

  it('acknowledges a 2xx and reports a redirect without following it', async () => {
    expect(await postWebhook(`${base}/ok`, '{}', {}, options)).toMatchObject({
      acknowledged: true,
      statusCode: 200,
      excerpt: 'SUCCESS',
      error: null,
    });
    const moved = await postWebhook(`${base}/moved`, '{}', {}, options);
    expect(moved).toMatchObject({ acknowledged: false, statusCode: 301 });
    expect(moved.error).toBe('redirect to /elsewhere not followed');
  });

  it('reports a refused connection as an error, not an exception', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await postWebhook(`http://127.0.0.1:${port}/`, '{}', {}, options);
    expect(result).toMatchObject({ acknowledged: false, statusCode: null });
    expect(result.error).toMatch(/ECONNREFUSED/);
  });
});
