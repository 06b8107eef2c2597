import { beforeAll, describe, expect, it } from 'vitest';
import { parseBillZip } from '../../src/channels/alipay/protocol/bill-zip.js';
import { ManualClock } from '../../src/core/clock.js';
import type { SandboxContext } from '../../src/sandbox/context.js';
import { useAlipaySandbox } from '../support/alipay-sandbox.js';

// a sandbox on a manual clock: bill days and the 30 s link lifetime are clock time
const clock = new ManualClock(Date.parse('2026-03-01T02:00:00Z')); // 10:00 China time
const alipay = useAlipaySandbox({ clock });
const { post } = alipay;
let url: string;
let ctx: SandboxContext;
const ok = { validateSign: true } as const;

beforeAll(() => {
  url = alipay.sandbox.url;
  ctx = alipay.sandbox.ctx;
});

async function paid(out: string, amount: string) {
  clock.advance(1000);
  const pre = await alipay.sdk.exec(
    'alipay.trade.precreate',
    { bizContent: { out_trade_no: out, total_amount: amount, subject: '账单' } },
    ok,
  );
  expect((await post('/sandbox/alipay/scan', { qr_code: pre.qrCode, buyer_id: 'bill-buyer' })).status).toBe(
    200,
  );
}
const billUrl = (date: string) =>
  alipay.sdk.exec(
    'alipay.data.dataservice.bill.downloadurl.query',
    { bizContent: { bill_type: 'trade', bill_date: date } },
    ok,
  );

describe('Alipay bill download', () => {
  it("the day's bill parses with our parser and its totals equal the sandbox's trades", async () => {
    await paid('B1', '10.00');
    await paid('B2', '0.01');
    await paid('B3', '5.55');
    clock.advance(1000);
    expect(
      (
        await alipay.sdk.exec(
          'alipay.trade.refund',
          { bizContent: { out_trade_no: 'B1', refund_amount: '2.50', out_request_no: 'B1-R1' } },
          ok,
        )
      ).code,
    ).toBe('10000');
    const pending = await alipay.sdk.exec(
      'alipay.trade.create',
      { bizContent: { out_trade_no: 'B4', total_amount: '9.00', subject: 'unpaid', buyer_id: 'x' } },
      ok,
    );
    expect(pending.code).toBe('10000'); // never paid: not in the bill
    clock.advance(24 * 3600_000);
    await paid('B5', '1.00'); // the next day: not in the first day's bill

    const res = await billUrl('2026-03-01');
    expect(res.code).toBe('10000');
    const link = new URL(res.billDownloadUrl as string);
    expect(link.searchParams.get('downloadFileName')).toBe(`${ctx.keys.alipay.seller_id}_20260301.csv.zip`);
    const download = await fetch(link);
    expect(download.status).toBe(200);
    const bill = parseBillZip(new Uint8Array(await download.arrayBuffer()));
    expect(bill.account).toBe(ctx.keys.alipay.seller_id);
    expect(bill.date).toBe('2026-03-01');
    expect(bill.rows.map((r) => [r.outTradeNo, r.type, r.receivedAmount, r.refundRequestNo])).toEqual([
      ['B1', 'trade', 1000, ''],
      ['B2', 'trade', 1, ''],
      ['B3', 'trade', 555, ''],
      ['B1', 'refund', -250, 'B1-R1'],
    ]);
    expect(bill.totals).toEqual({ tradeCount: 3, tradeReceived: 1556, refundCount: 1, refundReceived: -250 });
    // and the trade numbers are the ones the gateway reports
    const q = await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'B3' } }, ok);
    expect(bill.rows.find((r) => r.outTradeNo === 'B3')!.tradeNo).toBe(q.tradeNo);
  });

  it('the link expires after 30 s; future days and bad bill types are refused', async () => {
    const res = await billUrl('2026-03-02');
    clock.advance(31_000);
    const late = await fetch(res.billDownloadUrl as string);
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('链接已过期');
    expect((await fetch(`${url}/alipay/downloadBillFile.resource?token=nope`)).status).toBe(404);
    expect(await billUrl('2026-03-03')).toMatchObject({ code: '40004', subCode: 'isp.bill_not_exist' });
    expect((await billUrl('2026-13-45')).subCode).toBe('ACQ.INVALID_PARAMETER');
    expect(
      (
        await alipay.sdk.exec(
          'alipay.data.dataservice.bill.downloadurl.query',
          { bizContent: { bill_type: 'fund', bill_date: '2026-03-01' } },
          ok,
        )
      ).subCode,
    ).toBe('ACQ.INVALID_PARAMETER');
  });
});
