import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { createApp } from '../../src/merchants/apps.js';
import { createInstitution, createMerchant } from '../../src/merchants/tenancy.js';
import { inTransaction, type Database } from '../../src/platform/db/index.js';
import { runDue } from '../../src/platform/jobs/index.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';
import { recordEvent } from '../../src/notifications/events.js';
import { verifyWebhook } from '../../src/notifications/verify.js';
import { webhookJobHandlers } from '../../src/notifications/worker.js';
import { createTestDatabase } from '../support/db.js';
import { runJuhepay, waitFor, type Running } from '../support/process.js';
import { requireService } from '../support/services.js';

// A real `juhepay worker` process takes a delivery whose endpoint hangs and is killed with
// SIGKILL mid-request. Once its lease has run out another worker delivers the same event: the
// killed attempt is recorded as abandoned, the event is never lost. Needs PostgreSQL (two
// processes on one database).

describe.skipIf(!requireService('TEST_DATABASE_URL'))('webhook worker killed mid-delivery', () => {
  let database: Database | undefined;
  let child: Running | undefined;
  const held: ServerResponse[] = [];
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (received.length === 1)
        held.push(res); // the first attempt hangs until the worker dies
      else res.writeHead(200).end('ok');
    });
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'juhepay-webhook-kill-'));

  afterAll(async () => {
    if (child && child.child.exitCode === null) child.child.kill('SIGKILL');
    for (const res of held) res.destroy();
    await new Promise((resolve) => server.close(resolve));
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('redelivers the event after the killed worker’s lease expires', { timeout: 90_000 }, async () => {
    database = await createTestDatabase('postgres');
    const { db } = database;
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    const schema = rows[0]!.schema;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const notifyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    const masterKey = generateMasterKey();
    const box = new SecretBox(masterKey);
    const institution = await createInstitution(db, 'Bank', systemClock);
    const merchant = await createMerchant(db, { name: 'Shop', institutionId: institution.id }, systemClock);
    const app = await createApp(db, box, { merchantId: merchant.id, name: 'shop', notifyUrl }, systemClock);
    const event = await inTransaction(db, (tx) =>
      recordEvent(
        tx,
        {
          appId: app.app_id,
          merchantId: merchant.id,
          type: 'order.succeeded',
          objectType: 'order',
          objectId: 'ord_killkillkillkillkillkillki',
          object: { id: 'ord_killkillkillkillkillkillki', status: 'succeeded' },
        },
        systemClock,
      ),
    );

    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    child = runJuhepay(['worker'], {
      DATABASE_URL: url.toString(),
      JUHEPAY_MASTER_KEY: masterKey,
      JUHEPAY_ADMIN_TOKEN: 'webhook-kill-test-admin-token',
      JUHEPAY_DATA_DIR: dataDir,
      JUHEPAY_WEBHOOK_ALLOW_PRIVATE: '1',
      SANDBOX: '0',
      JUHEPAY_DEMO: '0',
    });
    await waitFor(() => (received.length > 0 ? true : undefined), 60_000, 'the first attempt', child);

    const job = await db
      .selectFrom('jobs')
      .selectAll()
      .where('dedupe_key', '=', `webhook:${event.id}:1`)
      .executeTakeFirstOrThrow();
    expect(job.status).toBe('running');
    expect(job.locked_by).toContain(`:${child.child.pid}:`);
    child.child.kill('SIGKILL');
    expect(await child.exited).toBeNull();

    const clock = new ManualClock(Date.now());
    const handlers = webhookJobHandlers({ db, box, clock, engine: 'postgres' }, { allowPrivate: true });
    const runOnce = () => runDue(db, handlers, { workerId: 'survivor', limit: 10, leaseMs: 60_000 }, clock);
    expect((await runOnce()).claimed).toBe(0); // the dead worker's lease still holds
    clock.set(job.locked_until!.getTime() + 1);
    expect(await runOnce()).toMatchObject({ claimed: 1, done: 1 });

    expect(received).toHaveLength(2);
    for (const [i, r] of received.entries()) {
      expect(JSON.parse(r.body).id).toBe(event.id);
      expect(r.headers['juhe-attempt']).toBe(String(i + 1));
      expect(verifyWebhook(app.app_secret, r.headers, r.body, { toleranceSeconds: 600 }).ok).toBe(true);
    }
    const attempts = await db
      .selectFrom('webhook_attempts')
      .select(['attempt_number', 'outcome', 'worker_id'])
      .where('event_id', '=', event.id)
      .orderBy('attempt_number')
      .execute();
    expect(attempts).toEqual([
      { attempt_number: 1, outcome: 'abandoned', worker_id: job.locked_by },
      { attempt_number: 2, outcome: 'succeeded', worker_id: 'survivor' },
    ]);
    const state = await db
      .selectFrom('webhook_events')
      .select('status')
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow();
    expect(state.status).toBe('succeeded');
    expect((await runOnce()).claimed).toBe(0);
    expect(received).toHaveLength(2);
  });
});
