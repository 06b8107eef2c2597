import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createApp } from '../../src/merchants/apps.js';
import { createInstitution, createMerchant } from '../../src/merchants/tenancy.js';
import { inTransaction, openDatabase, type Database, type Db } from '../../src/platform/db/index.js';
import { runDue } from '../../src/platform/jobs/index.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';
import { recordEvent } from '../../src/notifications/events.js';
import { webhookJobHandlers } from '../../src/notifications/worker.js';
import { describeEachEngine } from '../support/db.js';

// Three workers, each with its own connection pool on the same schema (as three processes would
// have), drain a backlog: every event arrives, no attempt arrives twice. 10 000 events on
// PostgreSQL; PGlite (one connection) runs the same check on fewer.

const WORKERS = 3;

describeEachEngine('webhook delivery by concurrent workers', (ctx) => {
  const extra: Database[] = [];
  let server: Server;
  let url: string;
  const receipts = new Map<string, string[]>(); // event id → attempt headers, in arrival order
  afterAll(async () => {
    await Promise.all(extra.map((d) => d.close()));
    await new Promise((resolve) => server.close(resolve));
  });
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const id = String(JSON.parse(body).id);
        const list = receipts.get(id) ?? [];
        list.push(String(req.headers['juhe-attempt']));
        receipts.set(id, list);
        // one event in 32 fails its first attempt, so retries run concurrently too
        const failFirst = list.length === 1 && id.endsWith('0');
        res.writeHead(failFirst ? 503 : 200).end('ok');
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  async function workerDatabases(): Promise<Db[]> {
    const { db } = ctx.database;
    if (ctx.engine === 'pglite') return Array.from({ length: WORKERS }, () => db);
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    for (let i = 1; i < WORKERS; i++) {
      extra.push(
        await openDatabase({ url: process.env.TEST_DATABASE_URL, schema: rows[0]?.schema, poolSize: 12 }),
      );
    }
    return [db, ...extra.map((d) => d.db)];
  }

  it('delivers every event exactly once per attempt', { timeout: 120_000 }, async () => {
    const total = ctx.engine === 'postgres' ? 10_000 : 600;
    const { db } = ctx.database;
    const clock = new ManualClock(Date.UTC(2026, 2, 1));
    const box = new SecretBox(generateMasterKey());
    const institution = await createInstitution(db, 'Bank', clock);
    const merchant = await createMerchant(db, { name: 'Shop', institutionId: institution.id }, clock);
    const app = await createApp(db, box, { merchantId: merchant.id, name: 'load', notifyUrl: url }, clock);
    const ids = new Set<string>();
    for (let start = 0; start < total; start += 250) {
      await inTransaction(db, async (tx) => {
        for (let i = start; i < Math.min(total, start + 250); i++) {
          const objectId = `ord_${String(i).padStart(26, '0')}`;
          const event = await recordEvent(
            tx,
            {
              appId: app.app_id,
              merchantId: merchant.id,
              type: 'order.succeeded',
              objectType: 'order',
              objectId,
              object: { id: objectId, amount: i + 1 },
            },
            clock,
          );
          ids.add(event.id);
        }
      });
    }

    const dbs = await workerDatabases();
    const drain = () =>
      Promise.all(
        dbs.map(async (wdb, w) => {
          const handlers = webhookJobHandlers(
            { db: wdb, box, clock, engine: ctx.engine },
            { allowPrivate: true },
          );
          for (;;) {
            const counts = await runDue(
              wdb,
              handlers,
              { workerId: `w${w}`, limit: 100, leaseMs: 60_000 },
              clock,
            );
            expect(counts.lost).toBe(0);
            if (counts.claimed === 0) return;
          }
        }),
      );
    await drain();
    clock.advance(15_000);
    await drain();

    expect(receipts.size).toBe(total);
    let retried = 0;
    for (const id of ids) {
      const attempts = receipts.get(id);
      const expected = id.endsWith('0') ? ['1', '2'] : ['1'];
      expect(attempts, id).toEqual(expected);
      if (expected.length === 2) retried++;
    }
    expect(retried).toBeGreaterThan(0);
    const statuses = await db
      .selectFrom('webhook_events')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('status')
      .execute();
    expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([['succeeded', total]]);
    const attemptRows = await db
      .selectFrom('webhook_attempts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(attemptRows.n)).toBe(total + retried);
  });
});
