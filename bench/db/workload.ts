import { sql } from 'kysely';
import type pg from 'pg';
import { systemClock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { createApp } from '../../src/merchants/apps.js';
import { createInstitution, createMerchant } from '../../src/merchants/tenancy.js';
import { inTransaction, type Db } from '../../src/platform/db/index.js';
import { writeEvent } from '../../src/platform/outbox/index.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';

/**
 * The write transaction under test, shaped like a payment state change: insert an order, record
 * its outbox event, bump a counter. Each worker bumps its own counter row: one shared hot row
 * would measure lock queueing on that row, not the engine.
 */

export const WORKERS = 8;
const TOPIC = 'order.created';
const EXPIRY_MS = 15 * 60_000;

export interface Seed {
  appId: string;
  merchantId: string;
}

export const counterKey = (worker: number) => `bench.counter.${worker}`;

/** A merchant, an app (orders reference both) and one counter row per worker. */
export async function seed(db: Db): Promise<Seed> {
  const clock = systemClock;
  const institution = await createInstitution(db, 'Bench Bank', clock);
  const merchant = await createMerchant(db, { name: 'Bench Shop', institutionId: institution.id }, clock);
  const app = await createApp(
    db,
    new SecretBox(generateMasterKey()),
    { merchantId: merchant.id, name: 'bench' },
    clock,
  );
  const rows = Array.from({ length: WORKERS }, (_, w) => ({
    key: counterKey(w),
    value: '0',
    updated_at: clock.now(),
  }));
  await db.insertInto('settings').values(rows).execute();
  return { appId: app.app_id, merchantId: merchant.id };
}

function orderValues(s: Seed, now: Date) {
  const id = newId('order', now.getTime());
  return {
    id,
    app_id: s.appId,
    merchant_id: s.merchantId,
    mch_order_no: id,
    amount: 100,
    currency: 'CNY',
    subject: 'bench order',
    status: 'created' as const,
    metadata: '{}',
    expires_at: new Date(now.getTime() + EXPIRY_MS),
    created_at: now,
    updated_at: now,
  };
}

/** The three statements through the app's own path: Kysely, inTransaction, writeEvent. */
export async function kyselyTx(db: Db, s: Seed, worker: number): Promise<void> {
  await inTransaction(db, async (tx) => {
    const now = systemClock.now();
    const order = orderValues(s, now);
    await tx.insertInto('orders').values(order).execute();
    await writeEvent(
      tx,
      { topic: TOPIC, payload: { order_id: order.id, amount: order.amount } },
      systemClock,
    );
    await tx
      .updateTable('settings')
      .set({ value: sql<string>`to_jsonb((value #>> '{}')::bigint + 1)`, updated_at: now })
      .where('key', '=', counterKey(worker))
      .execute();
  });
}

const INSERT_ORDER = `insert into orders (id, app_id, merchant_id, mch_order_no, amount, currency, subject, status,
  metadata, expires_at, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`;
const INSERT_EVENT = 'insert into outbox (id, topic, payload, created_at) values ($1, $2, $3, $4)';
const BUMP_COUNTER = `update settings set value = to_jsonb((value #>> '{}')::bigint + 1), updated_at = $1 where key = $2`;

/** The same statements on raw pg with named prepared statements: the in-run PostgreSQL limit. */
export async function rawTx(pool: pg.Pool, s: Seed, worker: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const now = systemClock.now();
    const o = orderValues(s, now);
    await client.query({
      name: 'bench_order',
      text: INSERT_ORDER,
      values: [
        o.id,
        o.app_id,
        o.merchant_id,
        o.mch_order_no,
        o.amount,
        o.currency,
        o.subject,
        o.status,
        o.metadata,
        o.expires_at,
        o.created_at,
        o.updated_at,
      ],
    });
    const payload = JSON.stringify({ order_id: o.id, amount: o.amount });
    await client.query({
      name: 'bench_event',
      text: INSERT_EVENT,
      values: [newId('event', now.getTime()), TOPIC, payload, now],
    });
    await client.query({ name: 'bench_counter', text: BUMP_COUNTER, values: [now, counterKey(worker)] });
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Rows written must match transactions counted as committed: a benchmark that lost writes is void. */
export async function verify(db: Db, committed: number): Promise<string[]> {
  const orders = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const events = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const counters = await sql<{
    n: string;
  }>`select sum((value #>> '{}')::bigint)::text as n from settings where key like 'bench.counter.%'`.execute(
    db,
  );
  const found = {
    orders: Number(orders.n),
    events: Number(events.n),
    counters: Number(counters.rows[0]?.n ?? 0),
  };
  return Object.entries(found)
    .filter(([, n]) => n !== committed)
    .map(([what, n]) => `${what}: found ${n}, expected ${committed}`);
}
