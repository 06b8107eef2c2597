import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoFile } from '../../src/demo/tenant.js';
import { requireService } from '../support/services.js';
import { systemClock } from '../../src/core/clock.js';
import { merchantHttpClient } from '../support/merchant-api.js';
import { freePort, readJson, runJuhepay, waitFor, waitForReady, type Running } from '../support/process.js';
import { adminCall, wechatCashierAs, wechatCashierPageAs, type Json } from '../support/risk.js';

/**
 * CONTRACT §8 end to end with `juhepay start`: across two gateway processes on PostgreSQL + Redis
 * (+ NATS) a list entry or rule written through node A applies to the very next decision on
 * node B; the same scenarios then run in embedded mode (one process, PGlite, in-process cache).
 */
const services =
  requireService('TEST_DATABASE_URL') && requireService('TEST_REDIS_URL') && requireService('TEST_NATS_URL');

/**
 * On a loaded machine the cache can answer after the default 250 ms, and a payment decision then
 * falls back to its cache-down policy (review: accepted). That is risk-cache-failure.test.ts's
 * subject, not this test's.
 */
const SLOW_MACHINE_CACHE_TIMEOUT = '5000';

const running: Running[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Node {
  child: Running;
  baseUrl: string;
  demo: DemoFile;
}

async function start(env: Record<string, string>): Promise<Node> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'juhepay-risk-'));
  dirs.push(dataDir);
  const port = await freePort();
  const child = runJuhepay(['start'], {
    ...env,
    PORT: String(port),
    SANDBOX_PORT: String(await freePort()),
    JUHEPAY_DATA_DIR: dataDir,
  });
  running.push(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  // an embedded start migrates and seeds PGlite on disk: minutes on a 2-core box shared with other suites
  await waitForReady(baseUrl, child, 180_000);
  const demo = await waitFor(
    () => readJson<DemoFile>(path.join(dataDir, 'demo.json')),
    30_000,
    'demo.json',
    child,
  );
  return { child, baseUrl, demo };
}

/** The Done-when scenarios: written through `a`, decided on `b` (the same node in embedded mode). */
async function scenarios(a: Node, b: Node, adminToken: string, id: string) {
  const adminA = (method: string, p: string, body?: unknown) =>
    adminCall(a.baseUrl, method, p, body, adminToken);
  let n = 0;
  const orderOn = async (
    node: Node,
    extra: Record<string, unknown> = {},
  ): Promise<{ status: number; body: Json }> => {
    const signed = merchantHttpClient(
      () => node.baseUrl,
      () => node.demo,
      () => systemClock,
    );
    const res = await signed('POST', '/v1/orders', {
      mch_order_no: `E2E-${id}-${++n}`,
      amount: 800,
      subject: 'Tea',
      ...extra,
    });
    return res as { status: number; body: Json };
  };

  // block an IP through A: the very next order from it on B is refused; removing it lets the next through
  const entry = await adminA('POST', '/risk/lists/block/entries', { type: 'ip', value: '203.0.113.50' });
  expect(entry.status).toBe(201);
  const refused = await orderOn(b, { client_ip: '203.0.113.50' });
  // on failure, say what B decided and why (e.g. a cache timeout's fallback)
  const why = async () =>
    JSON.stringify((await adminA('GET', '/risk/decisions?subject=203.0.113.50')).body.data?.[0]?.reasons);
  expect(refused.status, refused.status === 402 ? '' : await why()).toBe(402);
  expect(refused.body.error.type).toBe('risk_error');
  expect((await adminA('DELETE', `/risk/lists/block/entries/${entry.body.id}`)).status).toBe(200);
  expect((await orderOn(b, { client_ip: '203.0.113.50' })).status).toBe(201);

  // count("ip", "60s") > 5: attempts from both nodes share one window
  const rule = await adminA('POST', '/risk/rules', {
    name: 'ip burst',
    scene: 'payment',
    expression: 'count("ip", "60s") > 5',
    action: 'reject',
    mode: 'active',
  });
  expect(rule.status).toBe(201);
  for (let i = 0; i < 5; i++)
    expect((await orderOn(i % 2 ? a : b, { client_ip: '10.20.30.40' })).status).toBe(201);
  expect((await orderOn(b, { client_ip: '10.20.30.40' })).status).toBe(402);
  expect((await orderOn(b, { client_ip: '10.20.30.41' })).status).toBe(201);

  // a shadow rule is logged without refusing
  const shadow = await adminA('POST', '/risk/rules', {
    name: 'amount trial',
    scene: 'payment',
    expression: 'payment.amount >= 800',
    action: 'reject',
    mode: 'shadow',
  });
  expect((await orderOn(b, { client_ip: '10.77.0.1' })).status).toBe(201);
  const logged = await waitFor(
    async () => {
      const log = await adminA('GET', '/risk/decisions?subject=10.77.0.1');
      return log.body.data[0] as Json | undefined;
    },
    10_000,
    'the decision made on B in the log',
  );
  expect(logged.decision).toBe('accept');
  expect(logged.rules).toContainEqual(
    expect.objectContaining({ rule_id: shadow.body.id, mode: 'shadow', result: true }),
  );
  await adminA('DELETE', `/risk/rules/${shadow.body.id}`);

  // a blocked WeChat payer is refused in B's cashier once OAuth tells who pays: the refusal page
  await adminA('POST', '/risk/lists/block/entries', { type: 'payer', value: `wechatpay:oE2E${id}` });
  const blocked = await orderOn(b);
  expect(blocked.status).toBe(201);
  const cashier = await wechatCashierAs(b.baseUrl, blocked.body.id, `oE2E${id}`);
  expect(cashier).toMatchObject({ wallet: 'wechat', action: { type: 'refused', reason: 'risk' } });
  const page = await wechatCashierPageAs(b.baseUrl, blocked.body.id, `oE2E${id}`);
  expect(page.html).toContain('declined by our risk controls');
  const fine = await orderOn(b);
  expect((await wechatCashierAs(b.baseUrl, fine.body.id, `oFine${id}`)).action.type).toBe('wechat_jsapi');
}

describe.skipIf(!services)('risk on two nodes (PostgreSQL, Redis, NATS)', () => {
  const id = randomBytes(5).toString('hex');
  const schema = `e2e_risk_${id}`;
  const prefix = `E2E_RISK_${id}`;
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
    const nc = await connect({ servers: process.env.TEST_NATS_URL! });
    await (await jetstreamManager(nc)).streams.delete(prefix).catch(() => false);
    await nc.close();
  });

  it(
    'lists, velocity rules, shadow rules and the cashier apply across nodes',
    { timeout: 400_000 },
    async () => {
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      await client.query(`create schema ${schema}`);
      await client.end();
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const shared = {
        DATABASE_URL: url.toString(),
        REDIS_URL: process.env.TEST_REDIS_URL!,
        REDIS_KEY_PREFIX: `e2e-risk-${id}:`,
        NATS_URL: process.env.TEST_NATS_URL!,
        NATS_STREAM_PREFIX: prefix,
        JUHEPAY_MASTER_KEY: randomBytes(32).toString('hex'),
        JUHEPAY_ADMIN_TOKEN: `admin-${id}-0123456789`,
        RISK_CACHE_TIMEOUT_MS: SLOW_MACHINE_CACHE_TIMEOUT,
      };
      // A runs the channel simulators; the demo tenant's channel configs (in the shared database) point there
      const a = await start({ ...shared, SANDBOX: '1' });
      const b = await start({ ...shared, SANDBOX: '0' });
      await scenarios(a, b, shared.JUHEPAY_ADMIN_TOKEN, id);

      // every durable consumer the nodes started lives in the installation's own stream, prefixed
      const nc = await connect({ servers: process.env.TEST_NATS_URL! });
      const consumers: string[] = [];
      for await (const c of (await jetstreamManager(nc)).consumers.list(prefix)) consumers.push(c.name);
      await nc.close();
      expect(consumers).toEqual(
        expect.arrayContaining([`${prefix}_risk_outcomes`, `${prefix}_risk_payment_outcomes`]),
      );
      expect(consumers.every((name) => name.startsWith(`${prefix}_`))).toBe(true);

      expect(await a.child.stop()).toBe(0);
      expect(await b.child.stop()).toBe(0);
    },
  );
});

describe('risk in embedded mode (one process, PGlite, in-process cache and stream)', () => {
  it('the same scenarios pass', { timeout: 400_000 }, async () => {
    const id = randomBytes(5).toString('hex');
    const token = `admin-${id}-0123456789`;
    const node = await start({
      SANDBOX: '1',
      JUHEPAY_MASTER_KEY: randomBytes(32).toString('hex'),
      JUHEPAY_ADMIN_TOKEN: token,
      RISK_CACHE_TIMEOUT_MS: SLOW_MACHINE_CACHE_TIMEOUT,
    });
    await scenarios(node, node, token, id);
    expect(await node.child.stop()).toBe(0);
  });
});
