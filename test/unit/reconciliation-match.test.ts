import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelBillRecord, ChannelRecordStatus } from '../../src/reconciliation/bills/types.js';
import {
  emptySummary,
  hashMatch,
  matchKey,
  mergeMatch,
  tally,
  UnsortedInputError,
  type MatchOutcome,
  type PlatformRecord,
} from '../../src/reconciliation/match.js';

const STATUSES: ChannelRecordStatus[] = ['succeeded', 'processing', 'failed', 'closed'];

const channelRow = (over: Partial<ChannelBillRecord>): ChannelBillRecord => ({
  kind: 'trade',
  outTradeNo: 'ord_1',
  channelTradeNo: '4200001',
  channelMerchantId: '1900000109',
  amount: 1000,
  settledAmount: 1000,
  fee: 2,
  time: '2026-12-03 10:00:00',
  status: 'succeeded',
  line: 2,
  ...over,
});
const platformRow = (over: Partial<PlatformRecord>): PlatformRecord => ({
  kind: 'trade',
  id: 'ord_1',
  orderId: 'ord_1',
  merchantId: 'mch_1',
  outTradeNo: 'ord_1',
  amount: 1000,
  channelFee: 2,
  status: 'succeeded',
  ...over,
});

async function all(outcomes: AsyncIterable<MatchOutcome>): Promise<MatchOutcome[]> {
  const out: MatchOutcome[] = [];
  for await (const o of outcomes) out.push(o);
  return out;
}

/** the naive model: for each bill row, look the platform side up by a linear scan */
function naive(channel: ChannelBillRecord[], platform: PlatformRecord[]): string[] {
  const used = new Set<PlatformRecord>();
  const out: string[] = [];
  for (const c of channel) {
    const p = platform.find(
      (x) =>
        !used.has(x) &&
        x.kind === c.kind &&
        (c.kind === 'trade' ? x.outTradeNo === c.outTradeNo : x.outRefundNo === c.outRefundNo),
    );
    const alreadyMatched = platform.some((x) => used.has(x) && matchKey(x) === matchKey(c));
    if (!p || alreadyMatched) {
      out.push(`channel_only|${c.line}|`);
      continue;
    }
    used.add(p);
    const type =
      c.status !== p.status
        ? 'status_mismatch'
        : c.amount !== p.amount
          ? 'amount_mismatch'
          : c.fee !== p.channelFee
            ? 'fee_mismatch'
            : 'matched';
    out.push(`${type}|${c.line}|${p.id}`);
  }
  for (const p of platform) if (!used.has(p) && p.status === 'succeeded') out.push(`platform_only||${p.id}`);
  return out.sort();
}

const brief = (o: MatchOutcome) => `${o.type}|${o.channel?.line ?? ''}|${o.platform?.id ?? ''}`;

/** a day: platform records with unique keys, a bill drawn from them (changed, dropped, duplicated) plus extras */
const day = fc
  .uniqueArray(fc.record({ n: fc.integer({ min: 0, max: 40 }), refund: fc.boolean() }), {
    selector: (r) => `${r.refund}${r.n}`,
    maxLength: 30,
  })
  .chain((keys) => {
    const platform = keys.map(({ n, refund }) =>
      fc
        .record({
          amount: fc.integer({ min: 1, max: 5 }),
          fee: fc.integer({ min: 0, max: 2 }),
          status: fc.constantFrom(...STATUSES),
        })
        .map((v): PlatformRecord =>
          platformRow({
            kind: refund ? 'refund' : 'trade',
            id: `${refund ? 'rfd' : 'ord'}_${n}`,
            outTradeNo: refund ? `ord_${n % 7}` : `ord_${n}`,
            outRefundNo: refund ? `rfd_${n}` : undefined,
            amount: v.amount,
            channelFee: v.fee,
            status: v.status,
          }),
        ),
    );
    return fc.tuple(
      fc.tuple(...platform),
      fc.array(
        fc.record({
          n: fc.integer({ min: 0, max: 60 }),
          refund: fc.boolean(),
          amount: fc.integer({ min: 1, max: 5 }),
          fee: fc.integer({ min: 0, max: 2 }),
          status: fc.constantFrom(...STATUSES),
        }),
        { maxLength: 40 },
      ),
    );
  })
  .map(([platform, rows]) => {
    const channel = rows.map((r, i) =>
      channelRow({
        kind: r.refund ? 'refund' : 'trade',
        outTradeNo: r.refund ? `ord_${r.n % 7}` : `ord_${r.n}`,
        outRefundNo: r.refund ? `rfd_${r.n}` : undefined,
        amount: r.amount,
        fee: r.fee,
        status: r.status,
        line: i + 2,
      }),
    );
    return { platform: [...platform], channel };
  });

const byKey = <T extends { kind: 'trade' | 'refund'; outTradeNo: string; outRefundNo?: string }>(rows: T[]) =>
  [...rows].sort((a, b) => (matchKey(a) < matchKey(b) ? -1 : matchKey(a) > matchKey(b) ? 1 : 0));

describe('matcher', () => {
  it('names each kind of difference (CONTRACT §7)', async () => {
    const platform = [
      platformRow({ id: 'ord_ok', outTradeNo: 'ord_ok' }),
      platformRow({ id: 'ord_amount', outTradeNo: 'ord_amount', amount: 999 }),
      platformRow({ id: 'ord_status', outTradeNo: 'ord_status', status: 'processing' }),
      platformRow({ id: 'ord_fee', outTradeNo: 'ord_fee', channelFee: 3 }),
      platformRow({ id: 'ord_missing', outTradeNo: 'ord_missing' }),
      platformRow({ id: 'ord_closed', outTradeNo: 'ord_closed', status: 'closed' }),
      platformRow({
        kind: 'refund',
        id: 'rfd_1',
        outTradeNo: 'ord_ok',
        outRefundNo: 'rfd_1',
        amount: 400,
        channelFee: 1,
      }),
    ];
    const channel = [
      channelRow({ outTradeNo: 'ord_ok', line: 2 }),
      channelRow({ outTradeNo: 'ord_amount', line: 3 }),
      channelRow({ outTradeNo: 'ord_status', line: 4 }),
      channelRow({ outTradeNo: 'ord_fee', line: 5 }),
      channelRow({ outTradeNo: 'ord_behind_our_back', line: 6 }),
      channelRow({
        kind: 'refund',
        outTradeNo: 'ord_ok',
        outRefundNo: 'rfd_1',
        amount: 400,
        fee: 1,
        line: 7,
      }),
    ];
    const outcomes = await all(hashMatch(channel, platform));
    expect(outcomes.map(brief).sort()).toEqual(
      [
        'matched|2|ord_1',
        'amount_mismatch|3|ord_amount',
        'status_mismatch|4|ord_status',
        'fee_mismatch|5|ord_fee',
        'channel_only|6|',
        'matched|7|rfd_1',
        'platform_only||ord_missing',
      ]
        .map((s) => s.replace('ord_1', 'ord_ok'))
        .sort(),
    );
    expect(outcomes.find((o) => o.type === 'fee_mismatch')?.detail).toBe('channel fee 2 fen, expected 3 fen');
    const summary = outcomes.reduce(tally, emptySummary());
    expect(summary).toMatchObject({
      matched: 2,
      mismatched: 5,
      channelTotal: 5 * 1000 - 400,
      platformTotal: 1000 + 999 + 1000 + 1000 - 400,
    });
  });

  it('hash join and sorted merge both agree with the naive model', async () => {
    await fc.assert(
      fc.asyncProperty(day, async ({ platform, channel }) => {
        const expected = naive(channel, platform);
        expect((await all(hashMatch(channel, platform))).map(brief).sort()).toEqual(expected);
        expect((await all(mergeMatch(byKey(channel), byKey(platform)))).map(brief).sort()).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('every bill row and every succeeded platform record appears in exactly one outcome', async () => {
    await fc.assert(
      fc.asyncProperty(day, async ({ platform, channel }) => {
        const outcomes = await all(hashMatch(channel, platform));
        expect(outcomes.filter((o) => o.channel).length).toBe(channel.length);
        const ids = outcomes.flatMap((o) => (o.platform ? [o.platform.id] : []));
        expect(new Set(ids).size).toBe(ids.length);
        for (const p of platform.filter((x) => x.status === 'succeeded')) expect(ids).toContain(p.id);
      }),
      { numRuns: 200 },
    );
  });

  it('the merge refuses input that is not sorted instead of inventing mismatches', async () => {
    const rows = [channelRow({ outTradeNo: 'ord_b' }), channelRow({ outTradeNo: 'ord_a' })];
    await expect(all(mergeMatch(rows, []))).rejects.toBeInstanceOf(UnsortedInputError);
  });
});
