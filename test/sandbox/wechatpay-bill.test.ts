import { createHash } from 'node:crypto';
import { gunzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate, parseTradeBill, summarize } from '../../src/channels/wechatpay/protocol/index.js';
import { registerWechatpaySandbox } from '../../src/sandbox/wechatpay/index.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { errorOf, officialClient } from './wechatpay-support.js';

/** The day's trade bill: apply, download (unsigned, SHA1-checked), parse, reconcile with what happened. */
describe('WeChat Pay sandbox trade bill', () => {
  let sandbox: TestSandbox;
  let wxpay: ReturnType<typeof officialClient>;
  const totals = [1, 250, 999, 12_345];
  const refunded = 100;

  beforeAll(async () => {
    sandbox = await startTestSandbox([registerWechatpaySandbox]);
    wxpay = officialClient(sandbox);
    const w = sandbox.ctx.keys.wechatpay;
    for (const [i, total] of totals.entries()) {
      const { data } = await wxpay('v3/pay/partner/transactions/native').post({
        sp_appid: w.sp_appid,
        sp_mchid: w.sp_mchid,
        sub_mchid: w.sub_mchid,
        description: `商品${i}`,
        out_trade_no: `BILL000${i}`,
        notify_url: 'http://127.0.0.1:9/notify',
        amount: { total },
      });
      await fetch(`${sandbox.url}/sandbox/wechat/scan`, {
        method: 'POST',
        body: JSON.stringify({ code_url: data.code_url, openid: `oBill${i}` }),
      });
    }
    // one unpaid order must not appear
    await wxpay('v3/pay/partner/transactions/native').post({
      sp_appid: w.sp_appid,
      sp_mchid: w.sp_mchid,
      sub_mchid: w.sub_mchid,
      description: 'unpaid',
      out_trade_no: 'BILLUNPAID',
      notify_url: 'http://127.0.0.1:9/notify',
      amount: { total: 77 },
    });
    await wxpay('v3/refund/domestic/refunds').post({
      sub_mchid: w.sub_mchid,
      out_trade_no: 'BILL0002',
      out_refund_no: 'BILLREF1',
      amount: { refund: refunded, total: 999, currency: 'CNY' },
    });
    // the refund settles after 5 s of channel time
    await sandbox.advance(5_000);
    const refundQuery = () =>
      wxpay('v3/refund/domestic/refunds/{out_refund_no}').get({
        params: { sub_mchid: w.sub_mchid },
        out_refund_no: 'BILLREF1',
      });
    expect((await refundQuery()).data.status).toBe('SUCCESS');
  });
  afterAll(() => sandbox.close());

  const today = () => beijingDate(new Date());
  const apply = (query: Record<string, string>) =>
    wxpay('v3/bill/tradebill').get({ params: { sub_mchid: sandbox.ctx.keys.wechatpay.sub_mchid, ...query } });
  const download = async (url: string) => {
    const token = new URL(url).searchParams.get('token')!;
    const res = await wxpay('v3/billdownload/file').get({ params: { token }, responseType: 'arraybuffer' });
    return Buffer.from(res.data as ArrayBuffer);
  };

  it('ALL bill: the SHA1 matches, the rows and totals equal the sandbox records', async () => {
    const { data } = await apply({ bill_date: today(), bill_type: 'ALL' });
    expect(data.hash_type).toBe('SHA1');
    const bytes = await download(data.download_url);
    expect(createHash('sha1').update(bytes).digest('hex')).toBe(data.hash_value);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const bill = parseTradeBill(bytes);
    const payments = bill.rows.filter((r) => r.tradeState === 'SUCCESS');
    const refunds = bill.rows.filter((r) => r.tradeState === 'REFUND');
    expect(payments.map((r) => r.outTradeNo).sort()).toEqual([
      'BILL0000',
      'BILL0001',
      'BILL0002',
      'BILL0003',
    ]);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({
      outTradeNo: 'BILL0002',
      outRefundNo: 'BILLREF1',
      refund: refunded,
      refundStatus: 'SUCCESS',
    });
    expect(bill.summary).toEqual(summarize(bill.rows));
    expect(bill.summary.orderTotal).toBe(totals.reduce((a, b) => a + b, 0));
    expect(bill.summary.refundTotal).toBe(refunded);
    expect(bill.summary.count).toBe(5);
    // the channel cost of the sandbox's pricing (the demo's 0.20 %): 0.20 % of 123.45 = 0.2469 → 0.25
    expect(payments.find((r) => r.outTradeNo === 'BILL0003')!.feeMilliFen).toBe(25_000);
  });

  it('SUCCESS / REFUND bills, GZIP, and the errors', async () => {
    const success = parseTradeBill(
      await download((await apply({ bill_date: today(), bill_type: 'SUCCESS' })).data.download_url),
    );
    expect(success.rows.every((r) => r.tradeState === 'SUCCESS')).toBe(true);
    const refund = parseTradeBill(
      await download((await apply({ bill_date: today(), bill_type: 'REFUND' })).data.download_url),
    );
    expect(refund.rows.map((r) => r.outRefundNo)).toEqual(['BILLREF1']);
    const gz = (await apply({ bill_date: today(), tar_type: 'GZIP' })).data;
    const gzBytes = await download(gz.download_url);
    expect(createHash('sha1').update(gzBytes).digest('hex')).toBe(gz.hash_value);
    expect(parseTradeBill(gunzipSync(gzBytes)).rows).toHaveLength(5);

    expect(await apply({ bill_date: '2020-01-01' }).catch(errorOf)).toMatchObject({
      status: 400,
      data: { code: 'NO_STATEMENT_EXIST' },
    });
    expect(await apply({ bill_date: '20200101' }).catch(errorOf)).toMatchObject({
      status: 400,
      data: { code: 'PARAM_ERROR' },
    });
    expect(await apply({ bill_date: today(), bill_type: 'NOPE' }).catch(errorOf)).toMatchObject({
      status: 400,
      data: { code: 'PARAM_ERROR' },
    });
    const badToken = await wxpay('v3/billdownload/file')
      .get({ params: { token: 'expired' } })
      .catch(errorOf);
    expect(badToken).toMatchObject({ status: 400 });
  });
});
