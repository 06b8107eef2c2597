import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decryptResource,
  keyringFrom,
  signedHeadersFrom,
  signRequest,
  verifySigned,
} from '../../src/channels/wechatpay/protocol/index.js';
import { systemClock, unixSeconds } from '../../src/core/clock.js';
import { registerWechatpaySandbox } from '../../src/sandbox/wechatpay/index.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { officialClient } from './wechatpay-support.js';

describe('WeChat Pay sandbox, platform-certificate mode and raw requests', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox([registerWechatpaySandbox]);
  });
  afterAll(() => sandbox.close());

  const signedFetch = (method: string, path: string, body: string) => {
    const w = sandbox.ctx.keys.wechatpay;
    const authorization = signRequest({
      method,
      pathAndQuery: path,
      body,
      mchid: w.sp_mchid,
      serialNo: w.merchant_serial,
      privateKey: w.merchant_private_key,
      timestamp: Math.floor(Date.now() / 1000),
    });
    return fetch(`${sandbox.url}${path}`, {
      method,
      body: method === 'GET' ? undefined : body,
      headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
    });
  };

  it('serves the platform certificate encrypted with the APIv3 key, and can sign with its serial', async () => {
    const w = sandbox.ctx.keys.wechatpay;
    const pubKeyOnly = officialClient(sandbox);
    const { data } = await pubKeyOnly('v3/certificates').get();
    const entry = data.data[0];
    expect(entry.serial_no).toBe(w.platform_cert_serial);
    expect(decryptResource(entry.encrypt_certificate, w.apiv3_key)).toBe(w.platform_cert_pem);

    const switched = await fetch(`${sandbox.url}/sandbox/wechat/signing`, {
      method: 'POST',
      body: JSON.stringify({ mode: 'certificate' }),
    });
    expect(switched.status).toBe(200);
    // a client that only knows the PUB_KEY_ID now refuses the answers: its response validation is really on
    const refused = await pubKeyOnly('v3/certificates')
      .get()
      .catch((e: { code?: string }) => e);
    expect((refused as { code?: string }).code).toBe('EV3_RES_HEADER_PLATFORM_SERIAL');
    const echo = await signedFetch('POST', '/wechatpay/v3/security/echo', '{"hello":"世界"}');
    expect(echo.headers.get('wechatpay-serial')).toBe(w.platform_cert_serial);
    const body = await echo.text();
    const keyring = keyringFrom({ [w.platform_cert_serial]: w.platform_cert_pem });
    expect(verifySigned(signedHeadersFrom(echo.headers), body, keyring, systemClock)).toMatchObject({
      ok: true,
    });
    expect(JSON.parse(body)).toEqual({ hello: '世界' });
    await fetch(`${sandbox.url}/sandbox/wechat/signing`, {
      method: 'POST',
      body: JSON.stringify({ mode: 'public_key' }),
    });
    expect(
      (await fetch(`${sandbox.url}/sandbox/wechat/signing`, { method: 'POST', body: '{"mode":"sm2"}' }))
        .status,
    ).toBe(400);
  });

  it('a signed but malformed body gets 400 PARAM_ERROR, never a 500', async () => {
    for (const body of ['not json', '[]', '{"amount":"x"}', '']) {
      const res = await signedFetch('POST', '/wechatpay/v3/pay/partner/transactions/jsapi', body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('PARAM_ERROR');
    }
    const noQuery = await signedFetch(
      'GET',
      '/wechatpay/v3/pay/partner/transactions/out-trade-no/X123456',
      '',
    );
    expect(noQuery.status).toBe(400);
    const stale = signRequest({
      method: 'GET',
      pathAndQuery: '/wechatpay/v3/certificates',
      body: '',
      mchid: sandbox.ctx.keys.wechatpay.sp_mchid,
      serialNo: sandbox.ctx.keys.wechatpay.merchant_serial,
      privateKey: sandbox.ctx.keys.wechatpay.merchant_private_key,
      timestamp: unixSeconds(sandbox.clock) - 301, // the sandbox's time, not the machine's
    });
    const skewed = await fetch(`${sandbox.url}/wechatpay/v3/certificates`, {
      headers: { authorization: stale },
    });
    expect(skewed.status).toBe(401);
  });

  it('shows a checkout page for a JSAPI order', async () => {
    const w = sandbox.ctx.keys.wechatpay;
    const { data } = await officialClient(sandbox)('v3/pay/partner/transactions/jsapi').post({
      sp_appid: w.sp_appid,
      sp_mchid: w.sp_mchid,
      sub_mchid: w.sub_mchid,
      description: '<script>alert(1)</script>',
      out_trade_no: 'PAGE000001',
      notify_url: 'http://127.0.0.1:9/n',
      amount: { total: 1999 },
      payer: { sp_openid: 'oPage' },
    });
    const page = await fetch(`${sandbox.url}/sandbox/wechat/checkout?prepay_id=${data.prepay_id}`);
    const html = await page.text();
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toContain('¥19.99');
    expect(html).not.toContain('<script>alert(1)</script>');
  });
});
