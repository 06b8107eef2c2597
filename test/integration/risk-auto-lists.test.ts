import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { createApp } from '../../src/merchants/apps.js';
import { createInstitution, createMerchant } from '../../src/merchants/tenancy.js';
import { MemoryCache } from '../../src/platform/cache/index.js';
import type { Database } from '../../src/platform/db/index.js';
import { silentLogger } from '../../src/platform/logger.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';
import { applyOutcomeEvent } from '../../src/risk/events.js';
import { recomputeLists } from '../../src/risk/index.js';
import { addListEntry } from '../../src/risk/operations.js';
import { LISTS_MAP } from '../../src/risk/shared-state.js';
import { createTestDatabase } from '../support/db.js';
import { succeededOrderRow, succeededRefundRow } from '../support/order-rows.js';
import type { StreamEvent } from '../../src/platform/stream/index.js';

const HOUR = 3_600_000;

/** The near-real-time tier (stream consumer) and the offline tier (batch) agree on the automatic lists. */
describe('risk automatic lists: stream == batch recompute', () => {
  let database: Database;
  let ids: { appId: string; merchantId: string };
  beforeAll(async () => {
    database = await createTestDatabase(process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite');
    const clock = new ManualClock();
    const ins = await createInstitution(database.db, 'Bank', clock);
    const mch = await createMerchant(database.db, { name: 'Shop', institutionId: ins.id }, clock);
    const app = await createApp(
      database.db,
      new SecretBox(generateMasterKey()),
      { merchantId: mch.id, name: 'a' },
      clock,
    );
    ids = { appId: app.app_id, merchantId: mch.id };
  }, 180_000);
  afterAll(() => database.close());

  const snapshot = async () =>
    (
      await database.db
        .selectFrom('risk_list_entries')
        .select(['id', 'list', 'type', 'value', 'expires_at', 'created_at', 'source'])
        .where('source', 'like', 'auto:%')
        .orderBy('id')
        .execute()
    ).map((r) => ({ ...r, expires_at: r.expires_at?.toISOString(), created_at: r.created_at.toISOString() }));

  it('gives the same entries after random refunds, delivered out of order and more than once', async () => {
    const refundArb = fc.record({
      payer: fc.integer({ min: 0, max: 3 }),
      atMinutes: fc.integer({ min: 0, max: 72 * 60 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(refundArb, { minLength: 0, maxLength: 14 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer(),
        async (refunds, redeliveries, seed) => {
          const db = database.db;
          for (const table of ['risk_outcomes', 'refunds', 'orders', 'processed_events'] as const)
            await db.deleteFrom(table).execute();
          await db.deleteFrom('risk_list_entries').execute();
          const cache = new MemoryCache(new ManualClock());
          const deps = { db, cache, clock: new ManualClock(), logger: silentLogger };
          const operator = await addListEntry(deps, 'block', { type: 'payer', value: 'wechatpay:oPayer0' });
          const base = Date.UTC(2026, 11, 1);
          const events: StreamEvent[] = [];
          for (const [i, r] of refunds.entries()) {
            const orderId = newId('order');
            const at = new Date(base + r.atMinutes * 60_000);
            await db
              .insertInto('orders')
              .values(
                succeededOrderRow({
                  id: orderId,
                  app_id: ids.appId,
                  merchant_id: ids.merchantId,
                  mch_order_no: `P${i}`,
                  amount: 100,
                  channel_trade_no: `t${i}`,
                  payer: JSON.stringify({ sp_openid: `oPayer${r.payer}` }),
                  at,
                }),
              )
              .execute();
            const refundId = newId('refund');
            await db
              .insertInto('refunds')
              .values(
                succeededRefundRow({
                  id: refundId,
                  order_id: orderId,
                  app_id: ids.appId,
                  merchant_id: ids.merchantId,
                  mch_refund_no: 'R',
                  amount: 100,
                  at,
                }),
              )
              .execute();
            events.push({
              id: newId('event'),
              topic: 'refund.succeeded',
              created_at: at.toISOString(),
              payload: { data: { object: { id: refundId } } },
            });
          }
          // deliver in a shuffled order, with some events delivered again
          const deliveries = [
            ...events,
            ...redeliveries.filter(() => events.length > 0).map((k) => events[k % events.length]!),
          ];
          let s = seed;
          for (let i = deliveries.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            const j = s % (i + 1);
            [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
          }
          for (const event of deliveries) await applyOutcomeEvent(deps, event);
          const fromStream = await snapshot();
          const shared = (await cache.mapRead(LISTS_MAP)).entries;
          for (const entry of fromStream) expect(shared[entry.id]).toBeDefined();

          await db.deleteFrom('risk_outcomes').execute();
          await db.deleteFrom('risk_list_entries').where('source', 'like', 'auto:%').execute();
          await recomputeLists({ db, cache });
          expect(await snapshot()).toEqual(fromStream);
          // the operator's entry is never touched
          expect(
            await db
              .selectFrom('risk_list_entries')
              .select('id')
              .where('id', '=', operator.id)
              .executeTakeFirst(),
          ).toBeDefined();
          // 3 refunds of one payer within 24 h is what puts it on the review list
          const byPayer = new Map<number, number[]>();
          for (const r of refunds)
            byPayer.set(
              r.payer,
              [...(byPayer.get(r.payer) ?? []), r.atMinutes * 60_000].sort((a, b) => a - b),
            );
          const expected = [...byPayer].filter(([, t]) =>
            t.some((x, i) => i >= 2 && x - t[i - 2]! < 24 * HOUR),
          ).length;
          expect(fromStream).toHaveLength(expected);
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});
