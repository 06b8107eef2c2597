import { describe, expect, it } from 'vitest';
import { useAlipaySandbox } from '../support/alipay-sandbox.js';

const alipay = useAlipaySandbox();
const { post } = alipay;
let seq = 0;
const outNo = () => `T${Date.now()}${++seq}`;
const ok = { validateSign: true } as const;

const token = () => alipay.sandbox.ctx.keys.alipay.app_auth_token;

describe('Alipay gateway with the official alipay-sdk (response signatures verified)', () => {
  it('precreate → query TRADE_NOT_EXIST → scan → TRADE_SUCCESS → full refund → TRADE_CLOSED', async () => {
    const out = outNo();
    const pre = await alipay.sdk.exec(
      'alipay.trade.precreate',
      {
        appAuthToken: token(),
        bizContent: { out_trade_no: out, total_amount: '12.34', subject: '测试/商品' },
      },
      ok,
    );
    expect(pre.code).toBe('10000');
    expect(pre.qrCode).toMatch(/^https:\/\/qr\.alipay\.com\/bax[0-9a-z]{22}$/);
    const before = await alipay.sdk.exec(
      'alipay.trade.query',
      { appAuthToken: token(), bizContent: { out_trade_no: out } },
      ok,
    );
    expect(before).toMatchObject({ code: '40004', msg: 'Business Failed', subCode: 'ACQ.TRADE_NOT_EXIST' });

    const scan = await post('/sandbox/alipay/scan', { qr_code: pre.qrCode, buyer_id: 'buyer-alice' });
    expect(scan.status).toBe(200);
    expect(await scan.json()).toMatchObject({
      trade_status: 'TRADE_SUCCESS',
      out_trade_no: out,
      resultCode: '9000',
    });

    const paid = await alipay.sdk.exec(
      'alipay.trade.query',
      { appAuthToken: token(), bizContent: { out_trade_no: out } },
      ok,
    );
    expect(paid).toMatchObject({
      code: '10000',
      tradeStatus: 'TRADE_SUCCESS',
      totalAmount: '12.34',
      buyerUserId: 'buyer-alice',
      receiptAmount: '12.34',
    });
    expect(paid.tradeNo).toMatch(/^\d{28}$/);

    const refund = await alipay.sdk.exec(
      'alipay.trade.refund',
      {
        appAuthToken: token(),
        bizContent: { out_trade_no: out, refund_amount: '12.34', out_request_no: 'R1' },
      },
      ok,
    );
    expect(refund).toMatchObject({ code: '10000', fundChange: 'Y', refundFee: '12.34' });
    const closed = await alipay.sdk.exec(
      'alipay.trade.query',
      { appAuthToken: token(), bizContent: { trade_no: paid.tradeNo } },
      ok,
    );
    expect(closed.tradeStatus).toBe('TRADE_CLOSED');
    const again = await alipay.sdk.exec(
      'alipay.trade.refund',
      {
        appAuthToken: token(),
        bizContent: { out_trade_no: out, refund_amount: '12.34', out_request_no: 'R1' },
      },
      ok,
    );
    expect(again).toMatchObject({ code: '10000', fundChange: 'N', refundFee: '12.34' }); // idempotent retry
    const rq = await alipay.sdk.exec(
      'alipay.trade.fastpay.refund.query',
      { appAuthToken: token(), bizContent: { out_trade_no: out, out_request_no: 'R1' } },
      ok,
    );
    expect(rq).toMatchObject({ code: '10000', refundAmount: '12.34', refundStatus: 'REFUND_SUCCESS' });
  });

  it('partial refunds add up, cannot exceed the total, and an unknown refund query has no refund fields', async () => {
    const out = outNo();
    const pre = await alipay.sdk.exec(
      'alipay.trade.precreate',
      { bizContent: { out_trade_no: out, total_amount: 1, subject: 's' } },
      ok,
    );
    await post('/sandbox/alipay/scan', { qr_code: pre.qrCode, buyer_id: 'b' });
    const r1 = await alipay.sdk.exec(
      'alipay.trade.refund',
      { bizContent: { out_trade_no: out, refund_amount: '0.40', out_request_no: 'P1' } },
      ok,
    );
    expect(r1).toMatchObject({ code: '10000', refundFee: '0.40' });
    const over = await alipay.sdk.exec(
      'alipay.trade.refund',
      { bizContent: { out_trade_no: out, refund_amount: '0.61', out_request_no: 'P2' } },
      ok,
    );
    expect(over.subCode).toBe('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL');
    const r2 = await alipay.sdk.exec(
      'alipay.trade.refund',
      { bizContent: { out_trade_no: out, refund_amount: '0.60', out_request_no: 'P2' } },
      ok,
    );
    expect(r2.refundFee).toBe('1.00');
    const missing = await alipay.sdk.exec(
      'alipay.trade.fastpay.refund.query',
      { bizContent: { out_trade_no: out, out_request_no: 'nope' } },
      ok,
    );
    expect(missing.code).toBe('10000');
    expect(missing).not.toHaveProperty('refundStatus');
  });

  it('trade.create (JSAPI) + the customer confirms with /sandbox/alipay/pay; close only while waiting', async () => {
    const out = outNo();
    const created = await alipay.sdk.exec(
      'alipay.trade.create',
      {
        appAuthToken: token(),
        bizContent: {
          out_trade_no: out,
          total_amount: '0.01',
          subject: 'x',
          buyer_id: '2088000000000042',
          product_code: 'JSAPI_PAY',
        },
      },
      ok,
    );
    expect(created.code).toBe('10000');
    const waiting = await alipay.sdk.exec(
      'alipay.trade.query',
      { bizContent: { trade_no: created.tradeNo } },
      ok,
    );
    expect(waiting.tradeStatus).toBe('WAIT_BUYER_PAY');
    expect(
      (await post('/sandbox/alipay/pay', { trade_no: created.tradeNo, buyer_id: 'someone-else' })).status,
    ).toBe(403);
    const pay = await post('/sandbox/alipay/pay', {
      trade_no: created.tradeNo,
      buyer_id: '2088000000000042',
    });
    expect(await pay.json()).toMatchObject({ trade_status: 'TRADE_SUCCESS', resultCode: '9000' });
    const close = await alipay.sdk.exec('alipay.trade.close', { bizContent: { out_trade_no: out } }, ok);
    expect(close.subCode).toBe('ACQ.TRADE_STATUS_ERROR');

    const noBuyer = await alipay.sdk.exec(
      'alipay.trade.create',
      { bizContent: { out_trade_no: outNo(), total_amount: '0.01', subject: 'x' } },
      ok,
    );
    expect(noBuyer.subCode).toBe('ACQ.INVALID_PARAMETER');
    const other = outNo();
    const c2 = await alipay.sdk.exec(
      'alipay.trade.create',
      { bizContent: { out_trade_no: other, total_amount: '0.01', subject: 'x', buyer_open_id: 'open-1' } },
      ok,
    );
    expect(
      (await alipay.sdk.exec('alipay.trade.close', { bizContent: { trade_no: c2.tradeNo } }, ok)).code,
    ).toBe('10000');
    expect(
      (await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: other } }, ok)).tradeStatus,
    ).toBe('TRADE_CLOSED');
    expect((await post('/sandbox/alipay/pay', { trade_no: c2.tradeNo, buyer_id: 'open-1' })).status).toBe(
      409,
    );
  });

  it('cancel voids an unscanned code, and refunds a paid trade (action=refund)', async () => {
    const out = outNo();
    const pre = await alipay.sdk.exec(
      'alipay.trade.precreate',
      { bizContent: { out_trade_no: out, total_amount: '2.00', subject: 's' } },
      ok,
    );
    expect(
      await alipay.sdk.exec('alipay.trade.cancel', { bizContent: { out_trade_no: out } }, ok),
    ).toMatchObject({
      code: '10000',
      retryFlag: 'N',
      action: 'close',
    });
    expect((await post('/sandbox/alipay/scan', { qr_code: pre.qrCode, buyer_id: 'b' })).status).toBe(404);

    const paid = outNo();
    const pre2 = await alipay.sdk.exec(
      'alipay.trade.precreate',
      { bizContent: { out_trade_no: paid, total_amount: '2.00', subject: 's' } },
      ok,
    );
    await post('/sandbox/alipay/scan', { qr_code: pre2.qrCode, buyer_id: 'b' });
    expect(
      await alipay.sdk.exec('alipay.trade.cancel', { bizContent: { out_trade_no: paid } }, ok),
    ).toMatchObject({
      code: '10000',
      action: 'refund',
    });
    expect(
      (await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: paid } }, ok)).tradeStatus,
    ).toBe('TRADE_CLOSED');
  });
});
