import { alipaySdk } from '../support/alipay-sandbox.js';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeForm } from '../../src/channels/alipay/protocol/form.js';
import { buildSignedRequest } from '../../src/channels/alipay/protocol/request.js';
import { verifyResponse } from '../../src/channels/alipay/protocol/response.js';
import { signRequest } from '../../src/channels/alipay/protocol/sign.js';
import { systemClock } from '../../src/core/clock.js';
import { registerAlipaySandbox } from '../../src/sandbox/alipay/index.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let sandbox: TestSandbox;
const ok = { validateSign: true } as const;

beforeAll(async () => {
  sandbox = await startTestSandbox([registerAlipaySandbox]);
});
afterAll(() => sandbox.close());

describe('Alipay gateway: refusals', () => {
  const raw = async (params: Record<string, string>, method: string) => {
    const res = await fetch(`${sandbox.url}/alipay/gateway.do`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: encodeForm(params),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/charset=utf-8/);
    const verified = verifyResponse(await res.text(), method, sandbox.ctx.keys.alipay.alipay_public_key);
    if (!verified.ok) throw new Error(`response does not verify: ${verified.reason}`);
    return verified;
  };
  /** refusals sent before the app is known: a bare error_response, no sign (as Alipay sends them) */
  const rawUnsigned = async (params: Record<string, string>) => {
    const res = await fetch(`${sandbox.url}/alipay/gateway.do`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: encodeForm(params),
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(await res.text()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(body)).toEqual(['error_response']);
    return body.error_response!;
  };
  const request = (over: Partial<Parameters<typeof buildSignedRequest>[0]> = {}) =>
    buildSignedRequest({
      appId: sandbox.ctx.keys.alipay.app_id,
      method: 'alipay.trade.query',
      biz: { out_trade_no: 'x' },
      privateKey: sandbox.ctx.keys.alipay.app_private_key,
      clock: systemClock,
      ...over,
    });

  it('a request signed with the wrong key gets 40002 isv.invalid-signature (SDK too)', async () => {
    const wrong = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const answer = await raw(request({ privateKey: wrong }), 'alipay.trade.query');
    expect(answer.key).toBe('alipay_trade_query_response');
    expect(answer.data).toMatchObject({
      code: '40002',
      msg: 'Invalid Arguments',
      sub_code: 'isv.invalid-signature',
    });
    expect(String(answer.data.sub_msg)).toContain('&amp;method=alipay.trade.query&amp;');
    const badSdk = alipaySdk(sandbox, { privateKey: wrong });
    expect(await badSdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'x' } }, ok)).toMatchObject({
      code: '40002',
      subCode: 'isv.invalid-signature',
    });
  });

  it('the SDK really checks our response signatures: another Alipay key makes it throw', async () => {
    const otherPublic = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const strict = alipaySdk(sandbox, { alipayPublicKey: otherPublic });
    await expect(
      strict.exec('alipay.trade.query', { bizContent: { out_trade_no: 'x' } }, ok),
    ).rejects.toThrow(/验签失败/);
  });

  it('tampered biz_content after signing is caught', async () => {
    const params = { ...request(), biz_content: '{"out_trade_no":"y"}' };
    expect((await raw(params, 'alipay.trade.query')).data.sub_code).toBe('isv.invalid-signature');
  });

  it('missing and malformed common params, wrong app and wrong app_auth_token', async () => {
    const { sign: _s, ...unsigned } = request();
    expect((await raw(unsigned, 'alipay.trade.query')).data).toMatchObject({
      code: '40001',
      sub_code: 'isv.missing-signature',
    });
    const { method: _m, ...noMethod } = request();
    expect(await rawUnsigned(noMethod)).toMatchObject({ code: '40001', sub_code: 'isv.missing-method' });
    expect(await rawUnsigned(request({ method: 'alipay.trade.nope' }))).toMatchObject({
      code: '40002',
      sub_code: 'isv.invalid-method',
    });
    expect(await rawUnsigned(request({ appId: '2021000000000000' }))).toMatchObject({
      code: '40002',
      sub_code: 'isv.invalid-app-id',
    });
    const { app_id: _a, ...noApp } = request();
    expect(await rawUnsigned(noApp)).toMatchObject({ code: '40001', sub_code: 'isv.missing-app-id' });
    expect((await raw(request({ appAuthToken: 'wrong' }), 'alipay.trade.query')).data).toMatchObject({
      code: '20001',
      sub_code: 'aop.invalid-app-auth-token',
    });
    expect((await raw(request({ biz: {} }), 'alipay.trade.query')).data).toMatchObject({ code: '40001' });
    expect(
      (
        await raw(
          request({
            method: 'alipay.trade.precreate',
            biz: { out_trade_no: 'a', total_amount: '1.001', subject: 's' },
          }),
          'alipay.trade.precreate',
        )
      ).data.sub_code,
    ).toBe('ACQ.INVALID_PARAMETER');
    const bad = { ...request(), timestamp: 'yesterday' };
    expect((await raw(bad, 'alipay.trade.query')).data.sub_code).toBe('isv.invalid-timestamp');
  });

  it('an undecodable body or non-JSON biz_content is a well-formed error, never a 500', async () => {
    const res = await fetch(`${sandbox.url}/alipay/gateway.do`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'method=%E0%A4%A&x',
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text())).toHaveProperty('error_response.sub_code', 'isv.invalid-format');
    const { sign: _s, ...p } = request();
    const resigned = await raw(
      signRequest({ ...p, biz_content: 'not json' }, sandbox.ctx.keys.alipay.app_private_key),
      'alipay.trade.query',
    );
    expect(resigned.data).toMatchObject({ code: '40002', sub_code: 'isv.invalid-parameter' });
  });
});
