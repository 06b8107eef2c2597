import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesOf } from '../../src/reconciliation/bills/lines.js';
import type { BillTotals, ChannelBillRecord } from '../../src/reconciliation/bills/types.js';
import { BillParseError } from '../../src/reconciliation/bills/types.js';
import { parseWechatBill, type WechatBillOptions } from '../../src/reconciliation/bills/wechat.js';

const sample = readFileSync(new URL('../fixtures/bills/wechat-ALL.csv', import.meta.url));
const sampleText = sample.toString('utf8');

async function parse(data: Uint8Array | string, options: WechatBillOptions = {}, chunk = 4096) {
  const records: ChannelBillRecord[] = [];
  let totals: BillTotals | undefined;
  for await (const r of parseWechatBill(bytesOf(data, chunk), {
    ...options,
    onTotals: (t) => (totals = t),
  })) {
    records.push(r);
  }
  return { records, totals };
}

async function failure(data: Uint8Array | string, options: WechatBillOptions = {}): Promise<BillParseError> {
  const error = await parse(data, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BillParseError);
  return error as BillParseError;
}

const lines = sampleText.split('\r\n');

describe('WeChat trade bill (published ALL sample)', () => {
  it('reads the 45 rows: 31 trades and 14 refunds, with the totals the file declares', async () => {
    const { records, totals } = await parse(sample);
    expect(records).toHaveLength(45);
    expect(records.filter((r) => r.kind === 'trade')).toHaveLength(31);
    expect(totals).toEqual({
      tradeCount: 31,
      refundCount: 14,
      tradeAmount: 47,
      refundAmount: 14,
      feeTotal: 8,
    });
    expect(records[0]).toEqual({
      kind: 'refund',
      outTradeNo: 'autotest_20190216081946_82335',
      channelTradeNo: '4200000263201902167700134212',
      outRefundNo: 'REF4200000263201902167700963919',
      channelRefundNo: '50000709672019011908420787722',
      channelMerchantId: '0',
      amount: 1,
      settledAmount: 1,
      fee: 0,
      time: '2019-02-19 05:01:46',
      status: 'succeeded',
      line: 2,
    });
    const trade = records.find((r) => r.outTradeNo === 'autotest_20190219015232_89201');
    expect(trade).toMatchObject({
      kind: 'trade',
      amount: 3,
      settledAmount: 3,
      fee: 1,
      status: 'succeeded',
      line: 4,
    });
  });

  it('accepts the SHA1 the channel announced and rejects any other', async () => {
    const sha1 = createHash('sha1').update(sample).digest('hex');
    await expect(parse(sample, { sha1: sha1.toUpperCase() })).resolves.toMatchObject({
      records: { length: 45 },
    });
    const error = await failure(sample, { sha1: '0'.repeat(40) });
    expect(error.reason).toMatch(/^bad checksum: SHA1 [0-9a-f]{40}/);
  });

  it('gives the same records whatever the chunk boundaries (a character split over two chunks included)', async () => {
    const whole = await parse(sample);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 600 }), async (chunk) => {
        expect(await parse(sample, {}, chunk)).toEqual(whole);
      }),
      { numRuns: 25 },
    );
  });

  it('fails a file cut before its totals section as truncated', async () => {
    const cut = lines.slice(0, 30).join('\r\n');
    expect((await failure(cut)).reason).toMatch(/^truncated: .*总交易单数/);
    expect((await failure(sample.subarray(0, sample.length - 400))).reason).toMatch(
      /fields where|truncated|not an amount/,
    );
  });

  it('fails when rows are missing but the totals remain (the count disagrees)', async () => {
    const dropped = [...lines.slice(0, 10), ...lines.slice(11)].join('\r\n');
    const error = await failure(dropped);
    expect(error.reason).toMatch(/declare 45 rows but the file holds 44/);
  });

  it('fails when a fee was altered (the totals disagree)', async () => {
    const altered = sampleText.replace(
      '`0.01000,`39.00%,`0.03,`0.00,`\r\n',
      '`0.02000,`39.00%,`0.03,`0.00,`\r\n',
    );
    expect(altered).not.toBe(sampleText);
    expect((await failure(altered)).reason).toMatch(/^手续费总金额 0.08 differs/);
  });

  it('fails on an unknown row kind, an unknown status and a short row, naming the line', async () => {
    const withNote = [...lines.slice(0, 5), '备注：本账单仅供参考', ...lines.slice(5)].join('\r\n');
    const unknown = await failure(withNote);
    expect(unknown.line).toBe(6);
    expect(unknown.reason).toMatch(/^unknown row kind/);
    const status = await failure(sampleText.replace('`JSAPI,`SUCCESS,', '`JSAPI,`PAYERROR,'));
    expect(status.reason).toBe('unknown 交易状态 "PAYERROR"');
    const short = await failure(
      [...lines.slice(0, 3), lines[3]!.slice(0, 80), ...lines.slice(4)].join('\r\n'),
    );
    expect(short.line).toBe(4);
    expect(short.reason).toMatch(/fields where the header has 27/);
  });

  it('fails a file that is not a WeChat bill, and an empty one', async () => {
    expect((await failure('a,b,c\r\n`1,`2,`3\r\n')).reason).toMatch(/not a WeChat trade bill/);
    expect((await failure('')).reason).toBe('empty file');
  });
});
