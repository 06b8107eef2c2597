import fc from 'fast-check';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { inTransaction } from '../../src/platform/db/index.js';
import type { ChannelBillRecord, ChannelRecordStatus } from '../../src/reconciliation/bills/types.js';
import { matchStaged } from '../../src/reconciliation/match-sql.js';
import {
  emptySummary,
  hashMatch,
  matchKey,
  tally,
  type MatchOutcome,
  type PlatformRecord,
} from '../../src/reconciliation/match.js';
import { clearStaged, stageBill } from '../../src/reconciliation/staging.js';
import { beginReconciliation } from '../../src/reconciliation/store.js';
import { describeEachEngine } from '../support/db.js';

/**
 * The match in the database (staged bill ⋈ platform side, match-sql.ts) against the hash join of
 * match.ts, the reference: the same summary, and the same mismatches as upserting the hash join's
 * outcomes one by one by their key would leave (a key listed twice keeps its last row's).
 */

const STATUSES: ChannelRecordStatus[] = ['succeeded', 'processing', 'failed', 'closed'];
// mostly succeeded and few amounts, so pairs often agree on all but one field (every kind shows up)
const status = fc.oneof(
  { arbitrary: fc.constant<ChannelRecordStatus>('succeeded'), weight: 3 },
  { arbitrary: fc.constantFrom(...STATUSES), weight: 1 },
);

const day = fc
  .uniqueArray(
    fc.record({
      n: fc.integer({ min: 0, max: 10 }),
      refund: fc.boolean(),
      amount: fc.integer({ min: 1, max: 2 }),
      fee: fc.integer({ min: 0, max: 2 }),
      status,
    }),
    { selector: (r) => `${r.refund}${r.n}`, maxLength: 15 },
  )
  .map((rows) =>
    rows.map((r): PlatformRecord => ({
      kind: r.refund ? 'refund' : 'trade',
      id: `${r.refund ? 'rfd' : 'ord'}_${r.n}`,
      orderId: `ord_${r.refund ? r.n % 5 : r.n}`,
      merchantId: 'mch_1',
      outTradeNo: `ord_${r.refund ? r.n % 5 : r.n}`,
      ...(r.refund ? { outRefundNo: `rfd_${r.n}` } : {}),
      amount: r.amount,
      channelFee: r.fee,
      status: r.status,
    })),
  );
const bill = fc.array(
  fc.record({
    n: fc.integer({ min: 0, max: 12 }),
    refund: fc.boolean(),
    amount: fc.integer({ min: 1, max: 2 }),
    fee: fc.integer({ min: 0, max: 2 }),
    status,
  }),
  { maxLength: 20 },
);

const toChannel = (
  rows: Array<{ n: number; refund: boolean; amount: number; fee: number; status: ChannelRecordStatus }>,
) =>
  rows.map((r, i): ChannelBillRecord => ({
    kind: r.refund ? 'refund' : 'trade',
    outTradeNo: `ord_${r.refund ? r.n % 5 : r.n}`,
    ...(r.refund ? { outRefundNo: `rfd_${r.n}` } : {}),
    channelTradeNo: `42${i}`,
    channelMerchantId: '1900000109',
    amount: r.amount,
    settledAmount: r.amount,
    fee: r.fee,
    time: '2026-12-03 10:00:00',
    status: r.status,
    line: i + 2,
  }));

function platformValues(platform: PlatformRecord[]) {
  const none = sql`select null::text as match_key, null::text as kind, null::text as id, null::text as order_id,
    null::text as merchant_id, null::text as out_trade_no, null::bigint as amount, null::bigint as channel_fee,
    null::text as status where false`;
  if (platform.length === 0) return none;
  const rows = platform.map(
    (p) =>
      sql`(${matchKey(p)}::text, ${p.kind}::text, ${p.id}::text, ${p.orderId}::text, ${p.merchantId}::text,
           ${p.outTradeNo}::text, ${p.amount}::bigint, ${p.channelFee}::bigint, ${p.status}::text)`,
  );
  return sql`select * from (values ${sql.join(rows)}) as v(match_key, kind, id, order_id, merchant_id, out_trade_no, amount, channel_fee, status)`;
}

describeEachEngine('reconciliation: the match in SQL', (ctx) => {
  it('gives the hash join’s summary and mismatches', async () => {
    const db = ctx.database.db;
    let unit = 0;
    await fc.assert(
      fc.asyncProperty(day, bill, async (platform, rows) => {
        const channel = toChannel(rows);
        const rec = await beginReconciliation(
          db,
          { date: '2026-12-03', channel: 'wechatpay', identity: `p${unit++}` },
          new Date(),
        );
        expect(await stageBill(db, rec.id, channel)).toBe(channel.length);
        const summary = await inTransaction(db, async (tx) => {
          const s = await matchStaged(tx, rec, platformValues(platform), new Date());
          await clearStaged(tx, rec.id);
          return s;
        });

        const outcomes: MatchOutcome[] = [];
        for await (const o of hashMatch(channel, platform)) outcomes.push(o);
        expect(summary).toEqual(outcomes.reduce(tally, emptySummary()));
        const kept = new Map<string, MatchOutcome>();
        for (const o of outcomes) if (o.type !== 'matched') kept.set(matchKey((o.channel ?? o.platform)!), o);
        const expected = [...kept].map(([key, o]) => ({
          match_key: key,
          type: o.type,
          detail: o.detail,
          channel_amount: o.channel?.amount ?? null,
          platform_amount: o.platform?.amount ?? null,
          channel_fee: o.channel?.fee ?? null,
          platform_fee: o.platform?.channelFee ?? null,
          channel_trade_no: o.channel?.channelTradeNo ?? null,
          refund_id: o.platform?.kind === 'refund' ? o.platform.id : (o.channel?.outRefundNo ?? null),
        }));
        const written = await db
          .selectFrom('reconciliation_mismatches')
          .select([
            'match_key',
            'type',
            'detail',
            'channel_amount',
            'platform_amount',
            'channel_fee',
            'platform_fee',
            'channel_trade_no',
            'refund_id',
          ])
          .where('reconciliation_id', '=', rec.id)
          .execute();
        const byKey = (a: { match_key: string }, b: { match_key: string }) =>
          a.match_key < b.match_key ? -1 : 1;
        expect(
          written
            .map((w) => ({
              ...w,
              channel_amount: w.channel_amount === null ? null : Number(w.channel_amount),
              platform_amount: w.platform_amount === null ? null : Number(w.platform_amount),
              channel_fee: w.channel_fee === null ? null : Number(w.channel_fee),
              platform_fee: w.platform_fee === null ? null : Number(w.platform_fee),
            }))
            .sort(byKey),
        ).toEqual(expected.sort(byKey));
        const staged = await db
          .selectFrom('reconciliation_bill_rows')
          .select('seq')
          .where('reconciliation_id', '=', rec.id)
          .execute();
        expect(staged).toEqual([]);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
