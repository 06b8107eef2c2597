import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import { ManualClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { transitionOrder } from '../src/payments/order-transitions.js';
import { migrateToLatest, openDatabase, type Database } from '../src/platform/db/index.js';
import { installBenchPricing } from './ledger.js';
import { WORKERS, kyselyTx, seed } from './db/workload.js';

/**
 * The load-independent side of the payments bench: statements (round trips) and this process's
 * CPU per operation, `raw` (bench/db's write transaction) against `notify` (a channel's "paid"
 * applied to a paying order). On a shared machine throughput swings with the load; these do not.
 * PostgreSQL only (statements are counted at the `pg` client): BENCH_DATABASE_URL or
 * TEST_DATABASE_URL. `npx tsx bench/payments-cost.ts`
 */

const OPS = Number(process.env.BENCH_COST_OPS ?? 4000);

let statements = 0;
let bytes = 0;
const logged = new Set<string>();
const prepared = new WeakMap<object, Set<string>>(); // per connection: the names it has parsed
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  const [first, second] = args as [string | { text: string; name?: string; values?: unknown[] }, unknown[]];
  const text = typeof first === 'string' ? first : first.text;
  const values = typeof first === 'string' ? second : first.values;
  // a named (prepared) statement's text is sent once per connection
  const named = typeof first !== 'string' && first.name !== undefined;
  const params = (values ?? []).reduce<number>((n, v) => n + String(v).length, 0);
  const parsed = prepared.get(this) ?? new Set<string>();
  prepared.set(this, parsed);
  const size = (named && parsed.has(first.name!) ? 0 : text.length) + params;
  if (named) parsed.add(first.name!);
  bytes += size;
  // BENCH_COST_LOG=1: each distinct statement once, with its size (text + parameters)
  if (process.env.BENCH_COST_LOG && !logged.has(text)) {
    logged.add(text);
    console.log(`  [${text.length} + ${params} chars] ${text.replace(/\s+/g, ' ')}`);
  }
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof clientQuery;

async function measure(name: string, op: (worker: number) => Promise<void>): Promise<string> {
  let next = 0;
  const before = statements;
  const bytesBefore = bytes;
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      while (next++ < OPS) await op(w);
    }),
  );
  const used = process.cpuUsage(cpu);
  const perOp = (statements - before) / OPS;
  const cpuUs = (used.user + used.system) / OPS;
  return `${name.padEnd(7)} ${perOp.toFixed(2)} round trips/op (BEGIN and COMMIT included)  ${cpuUs.toFixed(0)} µs node CPU/op  ${((bytes - bytesBefore) / OPS).toFixed(0)} chars sent/op`;
}

async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('set BENCH_DATABASE_URL or TEST_DATABASE_URL');
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const database: Database = await openDatabase({ url, schema, poolSize: WORKERS + 2 });
  try {
    await migrateToLatest(database.db);
    const s = await seed(database.db);
    const { institution_id } = await database.db
      .selectFrom('merchants')
      .select('institution_id')
      .where('id', '=', s.merchantId)
      .executeTakeFirstOrThrow();
    await installBenchPricing(database.db, institution_id);
    const clock = new ManualClock(Date.now());
    const ids = Array.from({ length: OPS * 2 + 200 }, () => newId('order'));
    await sql`
      insert into orders (id, app_id, merchant_id, mch_order_no, amount, currency, subject, status,
        pay_way, channel, metadata, expires_at, created_at, updated_at)
      select n.id, ${s.appId}, ${s.merchantId}, 'P-' || n.id, 1000, 'CNY', 'bench', 'paying',
        'wechat_jsapi', 'wechatpay', '{}'::jsonb, now() + interval '15 minutes', now(), now()
      from unnest(${ids}::text[]) as n(id)`.execute(database.db);
    const notify = async () => {
      const id = ids.pop()!;
      const { changed } = await transitionOrder(
        database.db,
        id,
        { type: 'channel_reported', state: 'succeeded', amount: 1000 },
        { channel: 'wechatpay', payWay: 'wechat_jsapi', channelTradeNo: `4200${id.slice(4)}` },
        { clock, publicUrl: 'http://127.0.0.1:3000' },
      );
      if (!changed) throw new Error('the notification changed nothing');
    };
    // warm both paths (JIT, the pool's connections), then measure
    for (let i = 0; i < 100; i++) {
      await kyselyTx(database.db, s, 0);
      await notify();
    }
    console.log(`${OPS} ops each, ${WORKERS} callers, PostgreSQL`);
    console.log(await measure('raw', (w) => kyselyTx(database.db, s, w)));
    console.log(await measure('notify', () => notify()));
  } finally {
    await sql.raw(`drop schema ${schema} cascade`).execute(database.db);
    await database.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
