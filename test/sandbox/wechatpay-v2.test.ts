import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeV2Xml, encodeV2Xml, v2Sign, v2Verify } from '../../src/channels/wechatpay/protocol/index.js';
import { registerWechatpaySandbox } from '../../src/sandbox/wechatpay/index.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { officialClient } from './wechatpay-support.js';

/** 付款码 (APIv2 micropay) through the official client's v2 XML support, scenario by scenario. */
describe('WeChat Pay sandbox, APIv2 付款码', () => {
  let sandbox: TestSandbox;
  let wxpay: ReturnType<typeof officialClient>;

  beforeAll(async () => {
    sandbox = await startTestSandbox([registerWechatpaySandbox]);
    wxpay = officialClient(sandbox);
  });
  afterAll(() => sandbox.close());

  const ids = () => sandbox.ctx.keys.wechatpay;
  const issue = async (scenario: string) => {
    const res = await fetch(`${sandbox.url}/sandbox/paycodes`, {
      method: 'POST',
      body: JSON.stringify({ wallet: 'wechat', scenario }),
    });
    return ((await res.json()) as { auth_code: string }).auth_code;
  };
  const micropay = (outTradeNo: string, authCode: string, extra: Record<string, string> = {}) =>
    wxpay('v2/pay/micropay').post({
      appid: ids().sp_appid,
      mch_id: ids().sp_mchid,
      sub_mch_id: ids().sub_mchid,
      body: '门店-收银台',
      out_trade_no: outTradeNo,
      total_fee: '1234',
      spbill_create_ip: '127.0.0.1',
      auth_code: authCode,
      ...extra,
    });
  const orderquery = (outTradeNo: string) =>
    wxpay('v2/pay/orderquery').post({
      appid: ids().sp_appid,
      mch_id: ids().sp_mchid,
      sub_mch_id: ids().sub_mchid,
      out_trade_no: outTradeNo,
    });
  /** the plugin throws on result_code FAIL; the parsed XML is on the error's response */
  const failure = (e: { response?: { data?: Record<string, string> } }): Record<string, string> =>
    e.response?.data ?? {};

  it('issues WeChat payment codes with the real shape', async () => {
    for (let i = 0; i < 20; i++) expect(await issue('success')).toMatch(/^1[0-5]\d{16}$/);
  });

  it('success: paid at once, answer signed (MD5 and HMAC-SHA256)', async () => {
    const paid = await micropay('MICRO0001', await issue('success'));
    expect(paid.data).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      trade_type: 'MICROPAY',
      total_fee: '1234',
      out_trade_no: 'MICRO0001',
    });
    expect(paid.data.transaction_id).toMatch(/^4200\d{24}$/);
    const hmac = await micropay('MICRO0002', await issue('success'), { sign_type: 'HMAC-SHA256' });
    expect(hmac.data.sign).toHaveLength(64); // answered with the request's sign type, which the plugin checked
    expect((await orderquery('MICRO0001')).data.trade_state).toBe('SUCCESS');
  });

  it('password: USERPAYING, then SUCCESS on a later orderquery', async () => {
    const err = await micropay('MICRO0003', await issue('password')).catch(failure);
    expect(err).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'USERPAYING' });
    // PIN entry takes 10 s of channel time
    await sandbox.advance(9_999);
    expect((await orderquery('MICRO0003')).data.trade_state).toBe('USERPAYING');
    await sandbox.advance(1);
    const q = await orderquery('MICRO0003');
    expect(q.data).toMatchObject({ trade_state: 'SUCCESS', result_code: 'SUCCESS' });
  });

  it('timeout: USERPAYING forever, reverse refused before 15 s then allowed', async () => {
    const base = {
      appid: ids().sp_appid,
      mch_id: ids().sp_mchid,
      sub_mch_id: ids().sub_mchid,
      out_trade_no: 'MICRO0005',
    };
    const err = await micropay('MICRO0005', await issue('timeout')).catch(failure);
    expect(err).toMatchObject({ err_code: 'USERPAYING' });
    await sandbox.advance(14_999);
    expect((await wxpay('v2/pay/orderquery').post(base)).data.trade_state).toBe('USERPAYING');
    const early = await wxpay('v2/secapi/pay/reverse').post(base).catch(failure);
    expect(early).toMatchObject({ err_code: 'SYSTEMERROR' });
    await sandbox.advance(1); // 15 s of channel time since the attempt
    const reversed = await wxpay('v2/secapi/pay/reverse').post(base);
    expect(reversed.data).toMatchObject({ result_code: 'SUCCESS', recall: 'N' });
    expect((await orderquery('MICRO0005')).data.trade_state).toBe('REVOKED');
  });

  it('insufficient_funds → NOTENOUGH; unknown code → AUTH_CODE_INVALID; a code used twice is refused', async () => {
    expect(await micropay('MICRO0006', await issue('insufficient_funds')).catch(failure)).toMatchObject({
      err_code: 'NOTENOUGH',
    });
    expect(await micropay('MICRO0007', '134567890123456789').catch(failure)).toMatchObject({
      err_code: 'AUTH_CODE_INVALID',
    });
    const alipayCode = sandbox.ctx.paycodes.issue('alipay', 'success');
    expect(await micropay('MICRO0008', alipayCode).catch(failure)).toMatchObject({
      err_code: 'AUTH_CODE_INVALID',
    });
    const code = await issue('success');
    await micropay('MICRO0009', code);
    expect(await micropay('MICRO0010', code).catch(failure)).toMatchObject({ err_code: 'AUTHCODEEXPIRE' });
    // retrying the same out_trade_no with the same code reports the payment again; another code is a reused number
    expect((await micropay('MICRO0009', code)).data.result_code).toBe('SUCCESS');
    expect(await micropay('MICRO0009', await issue('success')).catch(failure)).toMatchObject({
      err_code: 'ORDERPAID',
    });
    expect(await orderquery('NOSUCH').catch(failure)).toMatchObject({ err_code: 'ORDERNOTEXIST' });
  });

  it('v2 transport errors: bad XML, wrong key, missing params, SYSTEMERROR fault', async () => {
    const post = async (body: string) =>
      decodeV2Xml(
        await (await fetch(`${sandbox.url}/wechatpay/pay/micropay`, { method: 'POST', body })).text(),
      );
    expect(await post('not xml')).toMatchObject({ return_code: 'FAIL', return_msg: 'XML格式错误' });
    expect(
      await post('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><a>&e;</a></xml>'),
    ).toMatchObject({ return_code: 'FAIL' });
    const params = {
      appid: ids().sp_appid,
      mch_id: ids().sp_mchid,
      sub_mch_id: ids().sub_mchid,
      nonce_str: 'n1',
      body: 'x',
      out_trade_no: 'MICRO0011',
      total_fee: '1',
      spbill_create_ip: '127.0.0.1',
      auth_code: await issue('success'),
    };
    expect(await post(encodeV2Xml({ ...params, sign: v2Sign(params, 'X'.repeat(32)) }))).toMatchObject({
      return_code: 'FAIL',
      return_msg: '签名错误',
    });
    const { body: _omit, ...noBody } = params;
    const missing = (await post(encodeV2Xml({ ...noBody, sign: v2Sign(noBody, ids().apiv2_key) })))!;
    expect(missing).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'PARAM_ERROR' });
    expect(v2Verify(missing, ids().apiv2_key)).toBe(true); // even business failures are signed
    sandbox.ctx.faults.set({ channel: 'wechatpay', operation: 'micropay', mode: 'system_error', count: 1 });
    expect(await post(encodeV2Xml({ ...params, sign: v2Sign(params, ids().apiv2_key) }))).toMatchObject({
      result_code: 'FAIL',
      err_code: 'SYSTEMERROR',
    });
  });
});
