import { unzipSync, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  BillFormatError,
  buildBillCsv,
  parseBillCsv,
  type AlipayBillRow,
} from '../../src/channels/alipay/protocol/bill-csv.js';
import { buildBillZip, parseBillZip } from '../../src/channels/alipay/protocol/bill-zip.js';

const row = (over: Partial<AlipayBillRow>): AlipayBillRow => ({
  tradeNo: '2026010122001400000000000001',
  outTradeNo: 'O1',
  type: 'trade',
  subject: '商品,一',
  createdAt: '2026-01-01 10:00:00',
  finishedAt: '2026-01-01 10:00:05',
  storeId: 'S1',
  buyerAccount: 'ab***@x.com',
  orderAmount: 1234,
  receivedAmount: 1234,
  alipayDiscount: 0,
  merchantDiscount: 0,
  refundRequestNo: '',
  serviceFee: 7,
  remark: '',
  ...over,
});

describe('Alipay bill', () => {
  const rows = [
    row({}),
    row({
      tradeNo: '2026010122001400000000000002',
      outTradeNo: 'O2',
      orderAmount: 1,
      receivedAmount: 1,
      serviceFee: 0,
    }),
    row({ type: 'refund', orderAmount: -234, receivedAmount: -234, refundRequestNo: 'R1', serviceFee: 0 }),
  ];
  const bill = { account: '2088000000000001', date: '2026-01-01', rows, exportedAt: '2026-01-02 09:00:00' };

  it('builds a ZIP of two GBK CSVs with the real names, and parses back to the same rows and totals', () => {
    const zip = buildBillZip(bill);
    const names = Object.keys(unzipSync(zip)).sort();
    expect(names).toEqual([
      '2088000000000001_20260101_业务明细(汇总).csv',
      '2088000000000001_20260101_业务明细.csv',
    ]);
    const bytes = unzipSync(zip)['2088000000000001_20260101_业务明细.csv']!;
    expect(Buffer.from(bytes).includes(iconv.encode('支付宝交易号', 'gbk'))).toBe(true);
    expect(Buffer.from(bytes).includes(Buffer.from('支付宝交易号', 'utf8'))).toBe(false);
    const parsed = parseBillZip(zip);
    expect(parsed.rows).toEqual(rows.map((r) => ({ ...r, subject: r.subject.replace(',', '，') })));
    expect(parsed.totals).toEqual({
      tradeCount: 2,
      tradeReceived: 1235,
      refundCount: 1,
      refundReceived: -234,
    });
    expect(parsed).toMatchObject({
      account: '2088000000000001',
      date: '2026-01-01',
      exportedAt: '2026年01月02日 09:00:00',
    });
  });

  it('reads real archives whose entry names are GBK bytes without the UTF-8 flag', () => {
    const gbkName = iconv.encode('2088000000000001_20260101_业务明细.csv', 'gbk');
    const placeholder = 'x'.repeat(gbkName.length); // ASCII: fflate sets no UTF-8 flag
    const zip = Buffer.from(
      zipSync({ [placeholder]: new Uint8Array(iconv.encode(buildBillCsv(bill), 'gbk')) }),
    );
    let at = zip.indexOf(placeholder);
    let swapped = 0;
    for (; at >= 0; at = zip.indexOf(placeholder, at + 1), swapped++) gbkName.copy(zip, at); // local header and central directory
    expect(swapped).toBe(2);
    expect(parseBillZip(new Uint8Array(zip)).totals.tradeCount).toBe(2);
  });

  it('the text has the metadata lines, 25 columns, tab-padded ids, end marker and footer', () => {
    const lines = buildBillCsv(bill).split('\r\n');
    expect(lines.slice(0, 3)).toEqual([
      '#支付宝业务明细查询',
      '#账号：[2088000000000001]',
      '#起始日期：[2026年01月01日 00:00:00]   终止日期：[2026年01月02日 00:00:00]',
    ]);
    expect(lines[4]!.split(',')).toHaveLength(25);
    expect(lines[5]!.startsWith('2026010122001400000000000001\t,O1\t,交易,')).toBe(true);
    expect(lines[8]).toContain('业务明细列表结束');
    expect(lines[9]).toBe('#交易合计：2笔，商家实收共12.35元，商家优惠共0.00元');
    expect(lines[10]).toBe('#退款合计：1笔，商家实收共-2.34元，商家优惠共0.00元');
  });

  it('reads columns by header name (moved and extra columns) and strips trailing tabs', () => {
    const csv = [
      '#支付宝业务明细查询',
      '商户订单号,新列,支付宝交易号,业务类型,订单金额（元）,商家实收（元）',
      'O9\t,x,T9\t\t,退款,-1.5,-1.50',
      '#-----业务明细列表结束-----',
      '#导出时间：[2026年01月02日 09:00:00]',
    ].join('\n');
    const parsed = parseBillCsv(csv);
    expect(parsed.rows[0]).toMatchObject({
      outTradeNo: 'O9',
      tradeNo: 'T9',
      type: 'refund',
      orderAmount: -150,
      receivedAmount: -150,
    });
    expect(parsed.totals).toEqual({ tradeCount: 0, tradeReceived: 0, refundCount: 1, refundReceived: -150 });
  });

  it('refuses broken files with BillFormatError', () => {
    const good = buildBillCsv(bill);
    expect(() => parseBillCsv(good.replace('支付宝交易号,', 'x,'))).toThrow(BillFormatError);
    expect(() => parseBillCsv(good.replace(',12.34,', ',12.3.4,'))).toThrow(/not an amount/);
    expect(() => parseBillCsv(good.replace(',交易,', ',转账,'))).toThrow(/业务类型/);
    expect(() => parseBillCsv(good.replace('业务明细列表结束', '---'))).toThrow(/end-of-list/);
    expect(() => parseBillZip(new Uint8Array([1, 2, 3]))).toThrow(BillFormatError);
  });
});
