import { describe, expect, it } from 'vitest';
import { useAlipaySandbox } from '../support/alipay-sandbox.js';

const alipay = useAlipaySandbox();
const { post } = alipay;
let seq = 0;
const outNo = () => `T${Date.now()}${++seq}`;
const ok = { validateSign: true } as const;

const token = () => alipay.sandbox.ctx.keys.alipay.app_auth_token;

describe('Alipay gateway: payment codes (trade.pay)', () => {
  const code = async (scenario: string) => {
    const res = await post('/sandbox/paycodes', { wallet: 'alipay', scenario });
    return ((await res.json()) as { auth_code: string }).auth_code;
  };
  const pay = (authCode: string, out = outNo()) =>
    alipay.sdk.exec(
      'alipay.trade.pay',
      {
        appAuthToken: token(),
        bizContent: {
          out_trade_no: out,
          scene: 'bar_code',
          auth_code: authCode,
          subject: 'x',
          total_amount: '8.88',
        },
      },
      ok,
    );

  it('issues Alipay-shaped codes', async () => {
    for (const s of ['success', 'password', 'timeout', 'insufficient_funds'])
      expect(await code(s)).toMatch(/^(2[5-9]|30)\d{14,22}$/);
  });

  it('success → 10000 TRADE_SUCCESS; the same code twice is refused', async () => {
    const c = await code('success');
    const out = outNo();
    const res = await pay(c, out);
    expect(res).toMatchObject({ code: '10000', totalAmount: '8.88', buyerPayAmount: '8.88' });
    expect(
      (await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: out } }, ok)).tradeStatus,
    ).toBe('TRADE_SUCCESS');
    expect((await pay(c)).subCode).toBe('ACQ.PAYMENT_AUTH_CODE_INVALID');
  });

  it('password → 10003, then TRADE_SUCCESS on a query once 10 s have passed', async () => {
    const out = outNo();
    const res = await pay(await code('password'), out);
    expect(res.code).toBe('10003');
    expect(
      (await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: out } }, ok)).tradeStatus,
    ).toBe('WAIT_BUYER_PAY');
    await alipay.sandbox.advance(9_999);
    expect(
      (await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: out } }, ok)).tradeStatus,
    ).toBe('WAIT_BUYER_PAY');
    await alipay.sandbox.advance(1);
    expect(
      (await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: out } }, ok)).tradeStatus,
    ).toBe('TRADE_SUCCESS');
  });

  it('timeout stays WAIT_BUYER_PAY until cancelled; insufficient funds and unknown codes fail', async () => {
    const out = outNo();
    expect((await pay(await code('timeout'), out)).code).toBe('10003');
    await alipay.sandbox.advance(24 * 3_600_000); // the buyer never confirms, however long
    expect(
      (await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: out } }, ok)).tradeStatus,
    ).toBe('WAIT_BUYER_PAY');
    expect(
      (await alipay.sdk.exec('alipay.trade.cancel', { bizContent: { out_trade_no: out } }, ok)).action,
    ).toBe('close');
    expect(await pay(await code('insufficient_funds'))).toMatchObject({
      code: '40004',
      subCode: 'ACQ.BUYER_BALANCE_NOT_ENOUGH',
    });
    expect(await pay('289999999999999999')).toMatchObject({
      code: '40004',
      subCode: 'ACQ.PAYMENT_AUTH_CODE_INVALID',
    });
    const wechat = (
      (await (await post('/sandbox/paycodes', { wallet: 'wechat', scenario: 'success' })).json()) as {
        auth_code: string;
      }
    ).auth_code;
    expect((await pay(wechat)).subCode).toBe('ACQ.PAYMENT_AUTH_CODE_INVALID');
  });
});
