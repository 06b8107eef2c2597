import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { systemClock } from '../src/core/clock.js';
import { createApp } from '../src/merchants/apps.js';
import { createInstitution, createMerchant } from '../src/merchants/tenancy.js';
import { inTransaction, migrateToLatest, openDatabase, type Database } from '../src/platform/db/index.js';
import { runDue } from '../src/platform/jobs/index.js';
import { SecretBox, generateMasterKey } from '../src/platform/secret-box.js';
import { WEBHOOK_JOB_MAX_ATTEMPTS, recordEvent } from '../src/notifications/events.js';
import { createAgents, postWebhook } from '../src/notifications/http-post.js';
import { webhookJobHandlers } from '../src/notifications/worker.js';

/**
 * Webhook delivery on PostgreSQL: deliveries per second to a local endpoint (in its own process,
 * answering 200 at once), against the in-run reference of bare signed-size POSTs to the same
 * endpoint with the same concurrency and no database; the emit rate of recordEvent; and the time
 * to drain a 100 000-event backlog. Run alone: `npx tsx bench/webhooks.ts`.
 * Knobs: BENCH_WEBHOOK_BACKLOG (100000), BENCH_WEBHOOK_WORKERS (3 pools), BENCH_WEBHOOK_BATCH (100).
 */

const num = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
};
const BACKLOG = num('BENCH_WEBHOOK_BACKLOG', 100_000);
const WORKERS = num('BENCH_WEBHOOK_WORKERS', 3);
const BATCH = num('BENCH_WEBHOOK_BATCH', 100);
const THROUGHPUT_EVENTS = Math.min(BACKLOG, 20_000);
const EMIT_EVENTS = 5_000;
const nonDefault = ['BENCH_WEBHOOK_BACKLOG', 'BENCH_WEBHOOK_WORKERS', 'BENCH_WEBHOOK_BATCH'].some(
  (k) => process.env[k],
);

const ENDPOINT = `
const http = require('node:http');
let hits = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET') { res.end(String(hits)); return; }
  req.resume();
  req.on('end', () => { hits++; res.writeHead(200).end('ok'); });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function startEndpoint() {
  const child = spawn(process.execPath, ['-e', ENDPOINT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', () => reject(new Error('endpoint exited')));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/hook`,
    hits: async () => Number(await (await fetch(base)).text()),
    stop: () => child.kill(),
  };
}

/** Inserts `count` pending events and their due jobs in two statements (a backlog, not emits). */
async function seedBacklog(
  database: Database,
  appId: string,
  merchantId: string,
  count: number,
  tag: string,
) {
  const now = systemClock.now();
  await sql`
    insert into webhook_events (id, app_id, merchant_id, type, object_type, object_id, sequence, body, status, next_attempt_at, created_at)
    select 'evt_' || ${tag} || lpad(g::text, 20, '0'), ${appId}, ${merchantId}, 'order.succeeded', 'order',
      'ord_' || ${tag} || lpad(g::text, 20, '0'), 1,
      json_build_object('id', 'evt_' || ${tag} || lpad(g::text, 20, '0'), 'object', 'event', 'type', 'order.succeeded',
        'created_at', ${now.toISOString()}::text, 'sequence', 1,
        'data', json_build_object('object', json_build_object('object', 'order', 'id', 'ord_' || g, 'amount', g, 'status', 'succeeded')))::text,
      'pending', ${now}, ${now}
    from generate_series(1, ${count}) g`.execute(database.db);
  await sql`
    insert into jobs (id, queue, payload, status, run_at, max_attempts, dedupe_key, created_at, updated_at)
    select 'job_' || ${tag} || lpad(g::text, 20, '0'), 'webhook',
      json_build_object('event_id', 'evt_' || ${tag} || lpad(g::text, 20, '0'), 'round', 1)::jsonb, 'queued', ${now},
      ${WEBHOOK_JOB_MAX_ATTEMPTS}, 'webhook:evt_' || ${tag} || lpad(g::text, 20, '0') || ':1', ${now}, ${now}
    from generate_series(1, ${count}) g`.execute(database.db);
}

async function drain(pools: Database[], box: SecretBox): Promise<number> {
  const started = performance.now();
  let failures = 0;
  await Promise.all(
    pools.map(async (pool, w) => {
      const handlers = webhookJobHandlers(
        { db: pool.db, box, clock: systemClock, engine: 'postgres' },
        { allowPrivate: true },
      );
      for (;;) {
        const counts = await runDue(
          pool.db,
          handlers,
          { workerId: `bench${w}`, limit: BATCH, leaseMs: 60_000 },
          systemClock,
        );
        failures += counts.retried + counts.failed + counts.lost;
        if (counts.claimed === 0) return;
      }
    }),
  );
  if (failures > 0) throw new Error(`${failures} deliveries did not succeed at once`);
  return (performance.now() - started) / 1000;
}

async function referencePosts(url: string, count: number): Promise<number> {
  const agents = createAgents();
  const body = JSON.stringify({ id: 'evt_x', object: 'event', data: { object: { id: 'ord_x', amount: 1 } } });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WORKERS * BATCH }, async () => {
      while (next++ < count) {
        const r = await postWebhook(url, body, {}, { allowPrivate: true, timeoutMs: 10_000, agents });
        if (!r.acknowledged) throw new Error(`reference POST failed: ${r.error}`);
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

export async function runWebhookBench(): Promise<boolean> {
  const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  console.log(
    `## webhooks: delivery to a local endpoint, ${WORKERS} worker pools x batch ${BATCH}${nonDefault ? ' [NON-DEFAULT, do not quote]' : ''}`,
  );
  if (!url) {
    console.log('skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL)');
    return true;
  }
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const endpoint = await startEndpoint();
  const pools: Database[] = [];
  try {
    for (let i = 0; i < WORKERS; i++) pools.push(await openDatabase({ url, schema, poolSize: 10 }));
    const main = pools[0]!;
    await migrateToLatest(main.db);
    const box = new SecretBox(generateMasterKey());
    const institution = await createInstitution(main.db, 'Bench Bank', systemClock);
    const merchant = await createMerchant(
      main.db,
      { name: 'Bench', institutionId: institution.id },
      systemClock,
    );
    const app = await createApp(
      main.db,
      box,
      { merchantId: merchant.id, name: 'bench', notifyUrl: endpoint.url },
      systemClock,
    );

    const reference = await referencePosts(endpoint.url, THROUGHPUT_EVENTS);
    console.log(
      `reference  bare POSTs, no database, concurrency ${WORKERS * BATCH}: ${Math.round(reference)} /s`,
    );

    let started = performance.now();
    for (let i = 0; i < EMIT_EVENTS; i += 100) {
      await inTransaction(main.db, async (tx) => {
        for (let j = i; j < i + 100; j++) {
          await recordEvent(
            tx,
            {
              appId: app.app_id,
              merchantId: merchant.id,
              type: 'order.succeeded',
              objectType: 'order',
              objectId: `ord_emit${j}`,
              object: { id: j },
            },
            systemClock,
          );
        }
      });
    }
    const emitRate = EMIT_EVENTS / ((performance.now() - started) / 1000);
    console.log(
      `emit       recordEvent (events row, sequence, outbox, job), 100 per tx: ${Math.round(emitRate)} /s`,
    );
    const emitDrain = await drain(pools, box);
    const delivered = EMIT_EVENTS / emitDrain;

    await seedBacklog(main, app.app_id, merchant.id, THROUGHPUT_EVENTS, 'tput');
    const tputSeconds = await drain(pools, box);
    const rate = THROUGHPUT_EVENTS / tputSeconds;
    console.log(
      `deliveries ${THROUGHPUT_EVENTS} events: ${Math.round(rate)} /s  (ratio to bare POSTs ${(rate / reference).toFixed(2)}; emitted batch: ${Math.round(delivered)} /s)`,
    );

    started = performance.now();
    await seedBacklog(main, app.app_id, merchant.id, BACKLOG, 'drain');
    const seedSeconds = (performance.now() - started) / 1000;
    const drainSeconds = await drain(pools, box);
    console.log(
      `backlog    ${BACKLOG} events drained in ${drainSeconds.toFixed(1)} s (${Math.round(BACKLOG / drainSeconds)} /s; seeding took ${seedSeconds.toFixed(1)} s)`,
    );

    const expected = EMIT_EVENTS + THROUGHPUT_EVENTS + BACKLOG;
    const expectedHits = expected + THROUGHPUT_EVENTS; // the reference POSTs hit the endpoint too
    const hits = await endpoint.hits();
    const notDone = await main.db
      .selectFrom('webhook_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '!=', 'succeeded')
      .executeTakeFirstOrThrow();
    const attempts = await main.db
      .selectFrom('webhook_attempts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const ok = hits === expectedHits && Number(notDone.n) === 0 && Number(attempts.n) === expected;
    console.log(
      `check      endpoint received ${hits - THROUGHPUT_EVENTS} deliveries of ${expected} (+ ${THROUGHPUT_EVENTS} reference POSTs); ${attempts.n} attempts recorded; ${notDone.n} not delivered`,
    );
    console.log(`machine    ${os.cpus().length} cores (endpoint, workers and PostgreSQL share them)`);
    if (!ok) console.log('!!! ERRORS: deliveries missing or repeated');
    return ok;
  } finally {
    endpoint.stop();
    if (pools[0])
      await sql
        .raw(`drop schema if exists ${schema} cascade`)
        .execute(pools[0].db)
        .catch(() => undefined);
    await Promise.all(pools.map((p) => p.close()));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runWebhookBench().then(
    (ok) => (process.exitCode = ok ? 0 : 1),
    (error: unknown) => {
      console.log(
        `!!! webhooks CRASHED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      process.exitCode = 1;
    },
  );
}
