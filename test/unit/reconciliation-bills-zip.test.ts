import { readFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseAlipayBill } from '../../src/reconciliation/bills/alipay.js';
import { bytesOf } from '../../src/reconciliation/bills/lines.js';
import {
  BillParseError,
  type BillTotals,
  type ChannelBillRecord,
} from '../../src/reconciliation/bills/types.js';
import { parseUnionpayBill } from '../../src/reconciliation/bills/unionpay.js';
import { formatZmLine, ZM_MIN_LINE_BYTES, ZM_OFFSETS } from '../../src/reconciliation/bills/unionpay-zm.js';
import { zipEntryName } from '../../src/reconciliation/bills/zip-stream.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bills/${name}`, import.meta.url));
const alipayZip = fixture('alipay-2088102177846875-20261203.zip');
const unionpayZip = fixture('unionpay-898310060514001-20261203.zip');

type Parser = (
  source: AsyncIterable<Uint8Array>,
  options: { onTotals: (t: BillTotals) => void },
) => AsyncGenerator<ChannelBillRecord>;
const alipay: Parser = (s, o) => parseAlipayBill(s, o);
const unionpay: Parser = (s, o) => parseUnionpayBill(s, { ...o, settleDate: '2026-12-03' });

async function parse(parser: Parser, data: Uint8Array, chunk = 97) {
  const records: ChannelBillRecord[] = [];
  let totals: BillTotals | undefined;
  for await (const r of parser(bytesOf(data, chunk), { onTotals: (t) => (totals = t) })) records.push(r);
  return { records, totals };
}

async function failure(parser: Parser, data: Uint8Array): Promise<BillParseError> {
  const error = await parse(parser, data).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BillParseError);
  return error as BillParseError;
}

/** the archive's files as text (GBK decoded), to alter one thing and zip again */
function entries(zip: Uint8Array): Map<string, string> {
  return new Map(
    Object.entries(unzipSync(zip)).map(([n, b]) => [zipEntryName(n), iconv.decode(Buffer.from(b), 'gbk')]),
  );
}
function rezip(files: Map<string, string>): Uint8Array {
  return zipSync(Object.fromEntries([...files].map(([n, t]) => [n, new Uint8Array(iconv.encode(t, 'gbk'))])));
}
function alter(zip: Uint8Array, suffix: string, edit: (text: string) => string): Uint8Array {
  const files = entries(zip);
  const name = [...files.keys()].find((n) => n.endsWith(suffix))!;
  const edited = edit(files.get(name)!);
  expect(edited).not.toBe(files.get(name));
  files.set(name, edited);
  return rezip(files);
}

describe('Alipay bill archive (GBK 业务明细 + 汇总)', () => {
  it("streams the trades and refunds with their fees and checks both files' totals", async () => {
    const { records, totals } = await parse(alipay, alipayZip);
    expect(records.map((r) => [r.kind, r.outTradeNo, r.outRefundNo, r.amount, r.fee])).toEqual([
      ['trade', 'ord_A1', undefined, 10000, 23],
      ['trade', 'ord_A2', undefined, 2550, 6],
      ['refund', 'ord_A1', 'rfd_A1', 4000, 9],
    ]);
    expect(records[0]).toMatchObject({
      channelTradeNo: '2026120322001400001000000001',
      channelMerchantId: '2088102177846875',
      time: '2026-12-03 10:00:05',
    });
    expect(totals).toEqual({
      tradeCount: 2,
      refundCount: 1,
      tradeAmount: 12550,
      refundAmount: 4000,
      feeTotal: 20,
    });
  });

  it('fails a truncated archive', async () => {
    const error = await failure(alipay, alipayZip.subarray(0, Math.floor(alipayZip.length / 2)));
    expect(error.reason).toMatch(/truncated|no complete|not a readable ZIP/);
  });

  it('fails a detail file cut before its end marker', async () => {
    const cut = alter(alipayZip, '_业务明细.csv', (t) => t.split('\r\n').slice(0, 7).join('\r\n'));
    expect((await failure(alipay, cut)).reason).toMatch(
      /^truncated: the 业务明细 has no 业务明细列表结束 marker/,
    );
  });

  it('fails an unknown 业务类型 and a stray row inside the list, naming the line', async () => {
    const kind = await failure(
      alipay,
      alter(alipayZip, '_业务明细.csv', (t) => t.replace(',交易,', ',冻结,')),
    );
    expect(kind.reason).toBe('unknown 业务类型 "冻结"');
    expect(kind.line).toBe(6);
    const stray = alter(alipayZip, '_业务明细.csv', (t) =>
      t.replace(/\r\n(#-+业务明细列表结束)/, '\r\n#备注\r\n$1'),
    );
    expect((await failure(alipay, stray)).reason).toMatch(/^unknown row kind/);
  });

  it('fails when a row was removed but the #交易合计 still counts it', async () => {
    const dropped = alter(alipayZip, '_业务明细.csv', (t) =>
      t
        .split('\r\n')
        .filter((l) => !l.includes('ord_A2'))
        .join('\r\n'),
    );
    expect((await failure(alipay, dropped)).reason).toMatch(/^#交易合计 declares 2 rows/);
  });

  it('fails when the 汇总 file disagrees with the rows (an altered fee) or is missing', async () => {
    const fee = alter(alipayZip, '_业务明细.csv', (t) => t.replace(',0.23,', ',0.33,'));
    expect((await failure(alipay, fee)).reason).toBe(
      'the 汇总 file says fees = 20, the 业务明细 rows give 30',
    );
    const files = entries(alipayZip);
    for (const n of files.keys()) if (n.includes('汇总')) files.delete(n);
    expect((await failure(alipay, rezip(files))).reason).toMatch(/no complete 业务明细\(汇总\)/);
  });

  it('fails a file that is not a ZIP', async () => {
    expect((await failure(alipay, Buffer.from('<html>expired</html>'))).reason).toMatch(
      /ZIP|no complete|truncated/,
    );
  });
});

describe('UnionPay ACP day file (ZM, fixed width)', () => {
  it('documents the positions it reads (ACP 文件接口 §6.1 widths, one separator byte)', () => {
    expect(ZM_OFFSETS.get('交易金额')).toEqual({ start: 66, width: 12 });
    expect(ZM_OFFSETS.get('商户订单号')).toEqual({ start: 112, width: 32 });
    expect(ZM_OFFSETS.get('交易类型')).toEqual({ start: 215, width: 2 });
    expect(ZM_OFFSETS.get('商户代码')).toEqual({ start: 293, width: 15 });
    // the rest of the positions docs/clearing.md lists
    expect(ZM_OFFSETS.get('交易传输时间')).toEqual({ start: 35, width: 10 });
    expect(ZM_OFFSETS.get('查询流水号')).toEqual({ start: 87, width: 21 });
    expect(ZM_OFFSETS.get('商户手续费')).toEqual({ start: 166, width: 13 });
    expect(ZM_OFFSETS.get('结算金额')).toEqual({ start: 180, width: 13 });
    expect(ZM_OFFSETS.get('原交易查询流水号')).toEqual({ start: 271, width: 21 });
    expect(ZM_OFFSETS.get('原始交易订单号')).toEqual({ start: 476, width: 32 });
    expect(ZM_MIN_LINE_BYTES).toBe(508);
    expect(formatZmLine({}).length).toBe(ZM_MIN_LINE_BYTES + 1 + 98);
  });

  it('streams trades (01) and refunds (04) with the fee and the original order for refunds', async () => {
    const { records, totals } = await parse(unionpay, unionpayZip, 61);
    expect(records.map((r) => [r.kind, r.outTradeNo, r.outRefundNo, r.amount, r.fee, r.time])).toEqual([
      ['trade', 'ord_U1', undefined, 10000, 22, '2026-12-03 09:30:15'],
      ['trade', 'ord_U2', undefined, 990, 2, '2026-12-03 14:00:00'],
      ['refund', 'ord_U1', 'rfd_U1', 2500, 6, '2026-12-03 16:00:00'],
    ]);
    expect(records[2]).toMatchObject({
      channelTradeNo: '812612030930150000001',
      channelRefundNo: '812612031600000000003',
      channelMerchantId: '898310060514001',
    });
    expect(totals).toEqual({
      tradeCount: 2,
      refundCount: 1,
      tradeAmount: 10990,
      refundAmount: 2500,
      feeTotal: 18,
    });
  });

  it('fails a cut line, an unknown 交易类型 and a truncated archive', async () => {
    const cut = alter(unionpayZip, 'ZM_898310060514001', (t) => t.slice(0, 700));
    const cutError = await failure(unionpay, cut);
    expect(cutError.reason).toMatch(/^truncated line: \d+ bytes/);
    expect(cutError.line).toBe(2);
    const files = entries(unionpayZip);
    const name = [...files.keys()].find((n) => n.includes('ZM_8'))!;
    const zm = Buffer.from(iconv.encode(files.get(name)!, 'gbk'));
    zm.write('02', ZM_OFFSETS.get('交易类型')!.start, 'latin1'); // pre-authorisation on the first line
    const preauth = zipSync({ [name]: new Uint8Array(zm) });
    const kind = await failure(unionpay, preauth);
    expect(kind.reason).toBe('unknown row kind: 交易类型 "02"');
    expect(kind.line).toBe(1);
    expect((await failure(unionpay, unionpayZip.subarray(0, 300))).reason).toMatch(
      /truncated|no complete|ZIP|no ZM/,
    );
  });

  it('fails an archive without a ZM file', async () => {
    expect(
      (await failure(unionpay, zipSync({ INN26120388ZME_898310060514001: new Uint8Array(0) }))).reason,
    ).toMatch(/no ZM file/);
  });
});
