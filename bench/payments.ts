import { pathToFileURL } from 'node:url';
import { ManualClock, unixSeconds } from '../src/core/clock.js';
import { ChannelRegistry } from '../src/channels/registry.js';
import { buildApp } from '../src/http/app.js';
import type { AppContext } from '../src/http/context.js';
import { signRequest } from '../src/core/signature.js';
import { createApp } from '../src/merchants/apps.js';
import { MemoryCache } from '../src/platform/cache/index.js';
import { migrateToLatest, openDatabase, type Database } from '../src/platform/db/index.js';
import { silentLogger } from '../src/platform/logger.js';
import { createMetrics } from '../src/platform/metrics.js';
import { SecretBox, generateMasterKey } from '../src/platform/secret-box.js';
import { createStream } from '../src/platform/stream/index.js';
import { transitionOrder } from '../src/payments/order-transitions.js';
import { randomBytes } from 'node:crypto';
import { newId } from '../src/core/ids.js';
import { sql } from 'kysely';
import { runWorkers } from './db/workers.js';
import { installBenchPricing } from './ledger.js';
import { WORKERS, kyselyTx, seed } from './db/workload.js';
import { ROUNDS, SECONDS, describeRun } from './lib/config.js';
import { fmtInt, fmtRatio, fmtWholeMs, median, percentile, printTable } from './lib/stats.js';
import { withRisk } from './risk-setup.js';
import { accountTotals, drainBookings, postingTotals, startBooking } from '../src/ledger/index.js';

/**
 * Payments on each engine, against the raw database write limit measured in the same run:
 *  - raw: the 3-statement write transaction of bench/db (insert order, outbox event, counter);
 *  - create: a signed POST /v1/orders through the whole app in process (auth, nonce, validation,
 *    idempotent insert, expiry job), without sockets;
 *  - create+risk: the same with the risk engine on (list checks, 5 counters, 50 CEL rules, log);
 *  - notify: applying a channel's "paid" to a paying order (lock, state change, webhook event with
 *    its sequence, outbox row, delivery job) — the part of notification processing after the
 *    channel signature check, which the channel benches cover. With the demo pricing, each one
 *    also snapshots the fee and queues the journal entry; the ledger's booking consumer runs
 *    alongside during the round (as in the server, every 200 ms), so its cost is in the figure.
 * After the last round, what is still queued is booked and the ledger checked: one payment entry
 * per notified order, cached balances equal to the postings.
 */

interface Engine {
  name: string;
  open(): Promise<Database>;
  /** removes what open() created (the PostgreSQL schema) */
  cleanup?(database: Database): Promise<void>;
}

async function runEngine(engine: Engine): Promise<string[][]> {
  const database = await engine.open();
  await migrateToLatest(database.db);
  const s = await seed(database.db);
  // with pricing, each notify also books the payment: fee snapshot, journal entry, postings
  const { institution_id } = await database.db
    .selectFrom('merchants')
    .select('institution_id')
    .where('id', '=', s.merchantId)
    .executeTakeFirstOrThrow();
  await installBenchPricing(database.db, institution_id);
  const box = new SecretBox(generateMasterKey());
  const clock = new ManualClock(Date.now());
  const stream = await createStream({});
  const ctx: AppContext = {
    db: database.db,
    engine: database.engine,
    cache: new MemoryCache(clock),
    stream,
    clock,
    logger: silentLogger,
    box,
    metrics: createMetrics(),
    adminToken: 'bench-admin-token-0123456789',
    publicUrl: 'http://127.0.0.1:3000',
    channels: new ChannelRegistry({ get: async () => undefined }),
    sleep: async () => undefined,
    lifecycle: { shuttingDown: false },
  };
  const credentials = await createApp(database.db, box, { merchantId: s.merchantId, name: 'bench' }, clock);
  const app = await buildApp(ctx);
  await app.ready();
  const riskApp = await buildApp(await withRisk(ctx));
  await riskApp.ready();
  let n = 0;
  const createOne = async (target = app) => {
    const body = JSON.stringify({
      mch_order_no: `B${++n}-${randomBytes(4).toString('hex')}`,
      amount: 1000,
      subject: 'bench',
      ...(target === riskApp
        ? { client_ip: `10.0.${n % 250}.${n % 200}`, device_id: `d${n % 700}`, customer_id: `c${n % 500}` }
        : {}),
    });
    const authorization = signRequest(credentials, {
      method: 'POST',
      pathAndQuery: '/v1/orders',
      body,
      timestamp: unixSeconds(clock),
      nonce: randomBytes(12).toString('hex'),
    });
    const res = await target.inject({
      method: 'POST',
      url: '/v1/orders',
      payload: body,
      headers: { authorization, 'content-type': 'application/json' },
    });
    if (res.statusCode !== 201) throw new Error(`create answered ${res.statusCode}: ${res.body}`);
    return (res.json() as { id: string }).id;
  };
  // orders waiting for their "paid": created up front, in the paying state
  const paying: string[] = [];
  const notifyOne = async () => {
    const id = paying.pop();
    if (!id) throw new Error('ran out of paying orders');
    const { changed } = await transitionOrder(
      database.db,
      id,
      { type: 'channel_reported', state: 'succeeded', amount: 1000 },
      { channel: 'wechatpay', payWay: 'wechat_jsapi', channelTradeNo: `4200${id.slice(4)}` },
      { clock, publicUrl: ctx.publicUrl },
    );
    if (!changed) throw new Error('the notification changed nothing');
  };

  const results: Record<string, { tps: number[]; p99: number[] }> = {
    raw: { tps: [], p99: [] },
    create: { tps: [], p99: [] },
    'create+risk': { tps: [], p99: [] },
    notify: { tps: [], p99: [] },
  };
  let notified = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const raw = await runWorkers(WORKERS, SECONDS, (w) => kyselyTx(database.db, s, w));
    const create = await runWorkers(WORKERS, SECONDS, () => createOne().then(() => undefined));
    const createRisk = await runWorkers(WORKERS, SECONDS, () => createOne(riskApp).then(() => undefined));
    // notify can outrun create (it writes less), so the supply is sized by the raw write limit
    const target = Math.ceil(Math.max(raw.txPerSecond, create.txPerSecond) * SECONDS * 2) + 100;
    paying.push(...(await copyAsPaying(database, await createOne(), target)));
    const stopBooking = startBooking(database.db, { intervalMs: 200, clock });
    const notify = await runWorkers(WORKERS, SECONDS, () => notifyOne());
    await stopBooking();
    notified += notify.committed;
    const lagging = await drainBookings(database.db, { clock });
    for (const [name, r] of [
      ['raw', raw],
      ['create', create],
      ['create+risk', createRisk],
      ['notify', notify],
    ] as const) {
      if (r.failures > 0)
        throw new Error(`${engine.name} ${name}: ${r.failures} failures, first: ${r.firstFailure}`);
      results[name]!.tps.push(r.txPerSecond);
      results[name]!.p99.push(percentile(r.latencies, 99));
    }
    console.log(
      `  round ${round} ${engine.name.padEnd(8)} raw ${fmtInt(raw.txPerSecond)}/s  create ${fmtInt(create.txPerSecond)}/s  +risk ${fmtInt(createRisk.txPerSecond)}/s  notify ${fmtInt(notify.txPerSecond)}/s (${fmtInt(lagging)} entries left to book after it)`,
    );
    paying.length = 0;
  }
  await checkLedger(database, notified, engine.name);
  await app.close();
  await riskApp.close();
  await stream.close();
  await engine.cleanup?.(database);
  await database.close();
  const rawTps = median(results.raw!.tps);
  // the goal of issue 12: risk on costs at most 10 % of create's ratio to the raw write limit
  const off = median(results.create!.tps) / rawTps;
  const on = median(results['create+risk']!.tps) / rawTps;
  console.log(
    `  ${engine.name}: create/raw ${off.toFixed(3)} risk off, ${on.toFixed(3)} risk on: ${((1 - on / off) * 100).toFixed(1)} % lower (goal: at most 10 %)`,
  );
  return (['raw', 'create', 'create+risk', 'notify'] as const).map((name) => [
    engine.name,
    name,
    fmtInt(median(results[name]!.tps)),
    fmtWholeMs(median(results[name]!.p99)),
    fmtRatio(median(results[name]!.tps), rawTps),
  ]);
}

/** Exactly once: one payment entry per notified order (the warmups' included), and the cache exact. */
async function checkLedger(database: Database, notified: number, engine: string): Promise<void> {
  const { rows } = await sql<{ orders: number; entries: number }>`
    select (select count(*) from orders where status = 'succeeded')::int as orders,
      (select count(*) from ledger_entries where type = 'payment_succeeded')::int as entries`.execute(
    database.db,
  );
  const counts = rows[0]!;
  if (counts.orders !== counts.entries || counts.orders < notified)
    throw new Error(`${engine}: ${counts.orders} paid orders but ${counts.entries} payment entries`);
  if (JSON.stringify(await accountTotals(database.db)) !== JSON.stringify(await postingTotals(database.db)))
    throw new Error(`${engine}: cached balances differ from the postings`);
  console.log(
    `  ${engine}: ${fmtInt(counts.entries)} payment entries for ${fmtInt(counts.orders)} paid orders; cache = postings`,
  );
}

/**
 * `count` paying orders copied from one order made through the API, in a few statements: making
 * each through the API would take longer than the round that uses them.
 */
async function copyAsPaying(database: Database, templateId: string, count: number): Promise<string[]> {
  const made: string[] = [];
  for (let start = 0; start < count; start += 2000) {
    const ids = Array.from({ length: Math.min(2000, count - start) }, () => newId('order'));
    const nos = ids.map((id) => `P-${id}`);
    await sql`
      insert into orders (id, app_id, merchant_id, mch_order_no, amount, currency, subject, status,
        pay_way, channel, metadata, expires_at, created_at, updated_at, request_hash)
      select n.id, o.app_id, o.merchant_id, n.no, o.amount, o.currency, o.subject, 'paying',
        'wechat_jsapi', 'wechatpay', o.metadata, o.expires_at, o.created_at, o.updated_at, o.request_hash
      from orders o, unnest(${ids}::text[], ${nos}::text[]) as n(id, no)
      where o.id = ${templateId}`.execute(database.db);
    made.push(...ids);
  }
  return made;
}

export async function runPaymentsBench(): Promise<boolean> {
  console.log(`## payments: ${WORKERS} concurrent callers, ${describeRun()}`);
  const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  const engines: Engine[] = [{ name: 'pglite', open: () => openDatabase({}) }];
  if (url) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    engines.push({
      name: 'postgres',
      open: () => openDatabase({ url, schema, poolSize: WORKERS + 2 }),
      cleanup: async (database) => {
        await sql.raw(`drop schema ${schema} cascade`).execute(database.db);
      },
    });
  } else console.log('  (set BENCH_DATABASE_URL or TEST_DATABASE_URL to include PostgreSQL)');
  const rows: string[][] = [];
  for (const engine of engines) rows.push(...(await runEngine(engine)));
  printTable(['engine', 'workload', 'median /s', 'median p99', 'ratio to raw'], rows);
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runPaymentsBench().then(
    (ok) => process.exit(ok ? 0 : 1),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
