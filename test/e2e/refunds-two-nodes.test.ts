import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoFile } from '../../src/demo/tenant.js';
import { walletAction } from '../support/payments.js';
import { requireService } from '../support/services.js';
import { systemClock } from '../../src/core/clock.js';
import { merchantHttpClient } from '../support/merchant-api.js';
import { freePort, readJson, runJuhepay, waitFor, type Running } from '../support/process.js';

// Issue 9 point 13: two gateway processes on one PostgreSQL database, each with its own PUBLIC_URL
// (the default), and one sandbox. Concurrent refunds sent across the nodes never exceed the paid
// amount, and every refund the channel made ends `succeeded` — none is marked failed because
// another node sent it a second time with its own notify_url.

const WECHAT_UA = 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47';
const running: Running[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'juhepay-e2e-'));
  dirs.push(dir);
  return dir;
}

interface Node {
  baseUrl: string;
  demo: DemoFile;
  process: Running;
}

async function startNode(env: Record<string, string>): Promise<Node> {
  const port = await freePort();
  const dataDir = tempDir();
  const process_ = runJuhepay(['start'], { PORT: String(port), JUHEPAY_DATA_DIR: dataDir, ...env });
  running.push(process_);
  const baseUrl = `http://127.0.0.1:${port}`;
  // a gateway compiles from source (tsx) on start: slow on a loaded machine, so wait longer than waitForReady
  await waitFor(
    async () =>
      (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined,
    180_000,
    `${baseUrl}/readyz`,
    process_,
  );
  const demo = await waitFor(
    () => readJson<DemoFile>(path.join(dataDir, 'demo.json')),
    30_000,
    'demo.json',
    process_,
  );
  return { baseUrl, demo, process: process_ };
}

/** a signed merchant API call to one node (as its demo app, at the real time) */
function call(node: Node, method: 'GET' | 'POST', url: string, body?: unknown) {
  return merchantHttpClient(
    () => node.baseUrl,
    () => node.demo,
    () => systemClock,
  )(method, url, body);
}

const database = requireService('TEST_DATABASE_URL');

describe.skipIf(!database)('refunds across two gateway nodes on one PostgreSQL database', () => {
  const schema = `e2e_${randomBytes(5).toString('hex')}`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });

  it(
    'three concurrent refunds of 300 on a paid 1,000 order all succeed; a fourth is refused; none is ever failed',
    { timeout: 600_000 },
    async () => {
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      await client.query(`create schema ${schema}`);
      await client.end();
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const shared = { DATABASE_URL: url.toString(), JUHEPAY_MASTER_KEY: randomBytes(32).toString('hex') };
      const sandboxPort = await freePort();
      // node a runs the sandbox (a tenth of channel time: refunds settle in 0.5 s); node b uses it
      const a = await startNode({
        ...shared,
        SANDBOX: '1',
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_TIME_SCALE: '10',
      });
      const b = await startNode({ ...shared, SANDBOX: '0', SANDBOX_PORT: String(sandboxPort) });
      expect(b.demo.app_id).toBe(a.demo.app_id);
      const nodes = [a, b];

      /** a paid order of 1,000 fen, placed and paid through node a's cashier */
      const paidOrder = async (no: string) => {
        const order = await call(a, 'POST', '/v1/orders', {
          mch_order_no: no,
          amount: 1000,
          subject: 'noodles',
        });
        expect(order.status, JSON.stringify(order.body)).toBe(201);
        const step = await walletAction(a.baseUrl, order.body.id as string, WECHAT_UA);
        const prepayId = (step.action.params as Record<string, string>).package!.slice('prepay_id='.length);
        const pay = await fetch(`${a.demo.sandbox_url}/sandbox/wechat/pay`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ prepay_id: prepayId }),
        });
        expect(pay.status, await pay.clone().text()).toBeLessThan(300);
        await waitFor(
          async () =>
            (await call(b, 'GET', `/v1/orders/${order.body.id}`)).body.status === 'succeeded'
              ? true
              : undefined,
          30_000,
          `order ${no} paid`,
        );
        return order.body.id as string;
      };
      /** refunds of 300 sent at once, alternating between the nodes */
      const refundAtOnce = (orderId: string, count: number) =>
        Promise.all(
          Array.from({ length: count }, (_, i) =>
            call(nodes[i % 2]!, 'POST', '/v1/refunds', {
              order_id: orderId,
              mch_refund_no: `r${i}`,
              amount: 300,
            }),
          ),
        );
      const settled = (id: string) =>
        waitFor(
          async () => {
            const r = await call(nodes[Math.floor(Math.random() * 2)]!, 'GET', `/v1/refunds/${id}`);
            return r.body.status === 'pending'
              ? undefined
              : (r.body as { status: string; failure_code?: string });
          },
          90_000,
          `refund ${id} settled`,
        );

      const first = await paidOrder('two-nodes-1');
      const three = await refundAtOnce(first, 3);
      expect(three.map((r) => r.status)).toEqual([201, 201, 201]);
      const firstEnds = await Promise.all(three.map((r) => settled(r.body.id as string)));
      expect(firstEnds.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      expect((await call(b, 'GET', `/v1/orders/${first}`)).body.amount_refunded).toBe(900);

      // over-refunding: four at once, one must be refused up front, the other three succeed
      const second = await paidOrder('two-nodes-2');
      const four = await refundAtOnce(second, 4);
      const admitted = four.filter((r) => r.status === 201);
      const refused = four.filter((r) => r.status !== 201);
      expect(admitted).toHaveLength(3);
      expect(refused.map((r) => [r.status, r.body.error?.code])).toEqual([[422, 'validation_failed']]);
      const secondEnds = await Promise.all(admitted.map((r) => settled(r.body.id as string)));
      expect(secondEnds.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      expect((await call(a, 'GET', `/v1/orders/${second}`)).body.amount_refunded).toBe(900);

      // no node marked a refund failed later: both nodes stop cleanly (their workers finish what
      // they hold), and the final rows are read from the database — no time to wait out
      expect(await a.process.stop()).toBe(0);
      expect(await b.process.stop()).toBe(0);
      const ids = [...three, ...admitted].map((r) => r.body.id as string);
      const db = new pg.Client({ connectionString: url.toString() });
      await db.connect();
      try {
        const rows = await db.query<{ id: string; status: string }>(
          'select id, status from refunds where id = any($1::text[]) order by id',
          [ids],
        );
        expect(rows.rows.map((r) => r.status)).toEqual(ids.map(() => 'succeeded'));
        const refunded = await db.query<{ amount_refunded: string }>(
          'select amount_refunded from orders where id = any($1::text[])',
          [[first, second]],
        );
        expect(refunded.rows.map((r) => Number(r.amount_refunded))).toEqual([900, 900]);
      } finally {
        await db.end();
      }
    },
  );
});
