import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bytesOf,
  reconcileBill,
  type MatchOutcome,
  type PlatformRecord,
} from '../../src/reconciliation/index.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bills/${name}`, import.meta.url));

const order = (n: string, amount: number, channelFee: number): PlatformRecord => ({
  kind: 'trade',
  id: n,
  orderId: n,
  merchantId: 'mch_1',
  outTradeNo: n,
  amount,
  channelFee,
  status: 'succeeded',
});

describe('reconcileBill: a day of one channel', () => {
  it('UnionPay: a lost order, a fee off and a refund matched', async () => {
    const platform: PlatformRecord[] = [
      order('ord_U1', 10000, 22),
      order('ord_U2', 990, 3), // the channel charged 2
      order('ord_U3', 500, 1), // not in the bill
      {
        ...order('rfd_U1', 2500, 6),
        kind: 'refund',
        orderId: 'ord_U1',
        outTradeNo: 'ord_U1',
        outRefundNo: 'rfd_U1',
      },
    ];
    const outcomes: MatchOutcome[] = [];
    const result = await reconcileBill(
      {
        format: 'unionpay_acp_dayfile',
        date: '2026-12-03',
        bytes: bytesOf(fixture('unionpay-898310060514001-20261203.zip')),
      },
      platform,
      (o) => void outcomes.push(o),
    );
    expect(result).toMatchObject({
      status: 'completed',
      summary: { matched: 2, mismatched: 2, channelTotal: 8490, platformTotal: 8990 },
    });
    expect(outcomes.map((o) => [o.type, o.platform?.id])).toEqual([
      ['matched', 'ord_U1'],
      ['fee_mismatch', 'ord_U2'],
      ['matched', 'rfd_U1'],
      ['platform_only', 'ord_U3'],
    ]);
  });

  it('WeChat with a wrong SHA1: failed with the reason, after outcomes the caller must discard', async () => {
    const outcomes: MatchOutcome[] = [];
    const result = await reconcileBill(
      {
        format: 'wechatpay_tradebill',
        date: '2019-02-19',
        bytes: bytesOf(fixture('wechat-ALL.csv')),
        sha1: 'f'.repeat(40),
      },
      [],
      (o) => void outcomes.push(o),
    );
    expect(result).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/^bad checksum/),
      line: undefined,
    });
    expect(outcomes.length).toBe(45);
  });

  it('Alipay: every row channel-only when JuhePay has none of them', async () => {
    const result = await reconcileBill(
      {
        format: 'alipay_bill_zip',
        date: '2026-12-03',
        bytes: bytesOf(fixture('alipay-2088102177846875-20261203.zip')),
      },
      [],
      () => {},
    );
    expect(result).toMatchObject({
      status: 'completed',
      summary: { matched: 0, mismatched: 3, byType: { channel_only: 3 } },
      totals: { feeTotal: 20 },
    });
  });
});
