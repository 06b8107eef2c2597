import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { createApp } from '../../src/merchants/apps.js';
import { createInstitution, createMerchant } from '../../src/merchants/tenancy.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';
import { addDays, settleTradeDate } from '../../src/settlement/index.js';
import { describeEachEngine } from '../support/db.js';

/**
 * The SQL aggregation against a plain model: random trades and refunds of three merchants around
 * one China day (some just before its midnight, some just after, some failed or still pending,
 * refunds that went abnormal first) settle to exactly what the model counts for that day — per
 * merchant gross, refunds, fees (charged − returned), net, held when a trade was flagged — and
 * each settlement's ledger entry moves exactly its net.
 */

const item = fc.record({
  merchant: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom('trade', 'refund'),
  amount: fc.integer({ min: 1, max: 5_000_000 }),
  feePpm: fc.integer({ min: 0, max: 10_000 }),
  /** minutes from the day's China midnight: −90 … 24 h + 90 */
  minute: fc.integer({ min: -90, max: 24 * 60 + 90 }),
  state: fc.constantFrom('done', 'done', 'done', 'not_done', 'abnormal_first'),
  review: fc.boolean(),
});

describeEachEngine('settlement agrees with a simple model', (ctx) => {
  it('per merchant and day: gross, refunds, fees, net, held', async () => {
    const db = ctx.database.db;
    const clock = new ManualClock(Date.parse('2026-01-05T00:00:00Z'));
    const box = new SecretBox(generateMasterKey());
    const institution = await createInstitution(db, 'Model Bank', clock);
    const merchants: Array<{ id: string; app: string }> = [];
    for (let i = 0; i < 3; i++) {
      const m = await createMerchant(db, { name: `M${i}`, institutionId: institution.id }, clock);
      merchants.push({
        id: m.id,
        app: (await createApp(db, box, { merchantId: m.id, name: 'a' }, clock)).app_id,
      });
    }
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 25 }), async (items) => {
        // each run its own day, three days apart, so the runs never see each other's items
        const day = addDays('2026-03-02', 3 * run++);
        const midnight = Date.parse(`${day}T00:00:00+08:00`);
        const model = new Map<string, { gross: number; refunds: number; fees: number; review: boolean }>();
        const count = (merchant: string) =>
          model.get(merchant) ??
          (model.set(merchant, { gross: 0, refunds: 0, fees: 0, review: false }), model.get(merchant)!);
        for (const [k, it] of items.entries()) {
          const m = merchants[it.merchant]!;
          const at = new Date(midnight + it.minute * 60_000);
          const inDay = it.minute >= 0 && it.minute < 24 * 60;
          const fee = Math.floor((it.amount * it.feePpm) / 1_000_000);
          const orderId = newId('order', clock.nowMs());
          const done = it.state !== 'not_done';
          await db
            .insertInto('orders')
            .values({
              id: orderId,
              app_id: m.app,
              merchant_id: m.id,
              mch_order_no: `${day}-${k}`,
              amount: it.amount,
              currency: 'CNY',
              subject: 'model',
              status: it.kind === 'trade' && !done ? 'closed' : 'succeeded',
              // a refunded order was paid the day before: only the refund belongs to this day
              paid_at: it.kind === 'trade' ? at : new Date(midnight - 86_400_000),
              fee,
              metadata: '{}',
              expires_at: at,
              created_at: at,
              updated_at: at,
              risk_flag: it.review ? 'review' : null,
            })
            .execute();
          if (it.kind === 'trade') {
            if (done && inDay) {
              const c = count(m.id);
              c.gross += it.amount;
              c.fees += fee;
              c.review ||= it.review;
            }
            continue;
          }
          const refundFee = Math.floor(fee / 2);
          const abnormalFirst = it.state === 'abnormal_first';
          await db
            .insertInto('refunds')
            .values({
              id: newId('refund', clock.nowMs()),
              order_id: orderId,
              app_id: m.app,
              merchant_id: m.id,
              mch_refund_no: 'r',
              amount: it.amount,
              status: it.state === 'not_done' ? 'pending' : 'succeeded',
              request_hash: 'x',
              created_at: at,
              updated_at: at,
              // abnormal first: counted when it went abnormal, though it succeeded a day later
              succeeded_at:
                it.state === 'not_done' ? null : abnormalFirst ? new Date(at.getTime() + 86_400_000) : at,
              abnormal_at: abnormalFirst ? at : null,
              fee_refunded: it.state === 'not_done' ? null : refundFee,
            })
            .execute();
          if (done && inDay) {
            const c = count(m.id);
            c.refunds += it.amount;
            c.fees -= refundFee;
          }
        }
        clock.set(Date.parse(`${addDays(day, 10)}T00:00:00+08:00`));
        await settleTradeDate({ db, clock }, day);
        const rows = await db
          .selectFrom('settlements')
          .selectAll()
          .where('trade_date', '=', day)
          .orderBy('merchant_id')
          .execute();
        const expected = [...model.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([merchant, c]) => ({
            merchant_id: merchant,
            gross: c.gross,
            refunds: c.refunds,
            fees: c.fees,
            net: c.gross - c.refunds - c.fees,
            status: c.review ? 'held' : 'pending',
          }));
        expect(
          rows.map((r) => ({
            merchant_id: r.merchant_id,
            gross: Number(r.gross),
            refunds: Number(r.refunds),
            fees: Number(r.fees),
            net: Number(r.net),
            status: r.status,
          })),
        ).toEqual(expected);
        for (const r of rows) {
          const entry = await db
            .selectFrom('ledger_entries')
            .select(['net', 'type'])
            .where('source', '=', r.id)
            .executeTakeFirstOrThrow();
          expect({ net: Number(entry.net), type: entry.type }).toEqual({
            net: Number(r.net),
            type: 'settlement',
          });
        }
      }),
      { numRuns: 12, seed: 20261204 },
    );
  });
});
