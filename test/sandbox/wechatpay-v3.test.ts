import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { registerWechatpaySandbox } from '../../src/sandbox/wechatpay/index.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { errorOf, officialClient, verifyingReceiver } from './wechatpay-support.js';

describe('WeChat Pay sandbox, APIv3 through the official wechatpay-axios-plugin', () => {
  let sandbox: TestSandbox;
  let receiver: Awaited<ReturnType<typeof verifyingReceiver>>;
  let wxpay: ReturnType<typeof officialClient>;

  beforeAll(async () => {
    sandbox = await startTestSandbox([registerWechatpaySandbox]);
    receiver = await verifyingReceiver(sandbox);
    wxpay = officialClient(sandbox);
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  const ids = () => sandbox.ctx.keys.wechatpay;
  const order = (outTradeNo: string, extra: Record<string, unknown> = {}) => ({
    sp_appid: ids().sp_appid,
    sp_mchid: ids().sp_mchid,
    sub_mchid: ids().sub_mchid,
    description: '测试商品-深圳腾大',
    out_trade_no: outTradeNo,
    notify_url: receiver.url,
    amount: { total: 888, currency: 'CNY' },
    payer: { sp_openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    ...extra,
  });
  const query = (outTradeNo: string) =>
    wxpay('v3/pay/partner/transactions/out-trade-no/{out_trade_no}').get({
      params: { sp_mchid: ids().sp_mchid, sub_mchid: ids().sub_mchid },
      out_trade_no: outTradeNo,
    });

  it('JSAPI order → NOTPAY → customer pays → verified notification → SUCCESS → refund → refund query', async () => {
    const created = await wxpay('v3/pay/partner/transactions/jsapi').post(order('JSAPI0001'));
    expect(created.status).toBe(200);
    const prepayId = created.data.prepay_id as string;
    expect(prepayId).toMatch(/^wx\d{14}[0-9a-f]{20}$/);

    const before = await query('JSAPI0001');
    expect(before.data).toMatchObject({
      trade_state: 'NOTPAY',
      out_trade_no: 'JSAPI0001',
      amount: { total: 888 },
    });
    expect(before.data.transaction_id).toBeUndefined();

    const paid = await fetch(`${sandbox.url}/sandbox/wechat/pay`, {
      method: 'POST',
      body: JSON.stringify({ prepay_id: prepayId, openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }),
    });
    expect(paid.status).toBe(200);

    await sandbox.settled(); // the notification has been delivered and answered
    const notification = receiver.parsed.find((p) => p.ok);
    if (!notification?.ok) throw new Error('no verified TRANSACTION.SUCCESS');
    expect(notification.envelope.event_type).toBe('TRANSACTION.SUCCESS');
    expect(notification.envelope.resource.original_type).toBe('transaction');
    expect(notification.resource).toMatchObject({
      sp_mchid: ids().sp_mchid,
      sub_mchid: ids().sub_mchid,
      out_trade_no: 'JSAPI0001',
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      payer: { sp_openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
      amount: { total: 888, payer_total: 888, currency: 'CNY' },
    });
    expect(receiver.received[0]!.headers['wechatpay-serial']).toBe(ids().platform_public_key_id);

    const after = await query('JSAPI0001');
    expect(after.data.trade_state).toBe('SUCCESS');
    expect(after.data.success_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    const byId = await wxpay('v3/pay/partner/transactions/id/{transaction_id}').get({
      params: { sp_mchid: ids().sp_mchid, sub_mchid: ids().sub_mchid },
      transaction_id: after.data.transaction_id,
    });
    expect(byId.data.out_trade_no).toBe('JSAPI0001');

    const refund = await wxpay('v3/refund/domestic/refunds').post({
      sub_mchid: ids().sub_mchid,
      out_trade_no: 'JSAPI0001',
      out_refund_no: 'REFUND0001',
      notify_url: receiver.url,
      amount: { refund: 300, total: 888, currency: 'CNY' },
    });
    expect(refund.data).toMatchObject({
      out_refund_no: 'REFUND0001',
      status: 'PROCESSING',
      amount: { refund: 300, total: 888 },
    });
    await sandbox.advance(4_999);
    expect(receiver.parsed.filter((p) => p.ok)).toHaveLength(1); // PROCESSING for 5 s of channel time
    await sandbox.advance(1);
    const refunded = receiver.parsed.find((p) => p.ok && p.envelope.event_type === 'REFUND.SUCCESS');
    expect(refunded?.ok && refunded.resource).toMatchObject({
      out_refund_no: 'REFUND0001',
      refund_status: 'SUCCESS',
      amount: { refund: 300 },
    });
    const refundQuery = await wxpay('v3/refund/domestic/refunds/{out_refund_no}').get({
      params: { sub_mchid: ids().sub_mchid },
      out_refund_no: 'REFUND0001',
    });
    expect(refundQuery.data).toMatchObject({ status: 'SUCCESS', refund_id: refund.data.refund_id });
    expect((await query('JSAPI0001')).data.trade_state).toBe('REFUND');

    // more than what is left to refund is refused; an unknown refund is RESOURCE_NOT_EXISTS
    const tooMuch = await wxpay('v3/refund/domestic/refunds')
      .post({
        sub_mchid: ids().sub_mchid,
        out_trade_no: 'JSAPI0001',
        out_refund_no: 'REFUND0002',
        amount: { refund: 600, total: 888, currency: 'CNY' },
      })
      .catch(errorOf);
    expect(tooMuch).toMatchObject({ status: 400, data: { code: 'INVALID_REQUEST' } });
    const missing = await wxpay('v3/refund/domestic/refunds/{out_refund_no}')
      .get({ params: { sub_mchid: ids().sub_mchid }, out_refund_no: 'NOPE' })
      .catch(errorOf);
    expect(missing).toMatchObject({ status: 404, data: { code: 'RESOURCE_NOT_EXISTS' } });
  });

  it('Native order → close → 204 → CLOSED; closing a paid order is ORDER_PAID', async () => {
    const created = await wxpay('v3/pay/partner/transactions/native').post(
      order('NATIVE0001', { payer: undefined }),
    );
    expect(created.data.code_url).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    const closed = await wxpay('v3/pay/partner/transactions/out-trade-no/{out_trade_no}/close').post(
      { sp_mchid: ids().sp_mchid, sub_mchid: ids().sub_mchid },
      { out_trade_no: 'NATIVE0001' },
    );
    expect(closed.status).toBe(204);
    expect((await query('NATIVE0001')).data.trade_state).toBe('CLOSED');
    const scanClosed = await fetch(`${sandbox.url}/sandbox/wechat/scan`, {
      method: 'POST',
      body: JSON.stringify({ code_url: created.data.code_url, openid: 'oScanner' }),
    });
    expect(scanClosed.status).toBe(400);

    const second = await wxpay('v3/pay/partner/transactions/native').post(
      order('NATIVE0002', { payer: undefined }),
    );
    const scanned = await fetch(`${sandbox.url}/sandbox/wechat/scan`, {
      method: 'POST',
      body: JSON.stringify({ code_url: second.data.code_url, openid: 'oScanner' }),
    });
    expect(scanned.status).toBe(200);
    expect((await query('NATIVE0002')).data).toMatchObject({
      trade_state: 'SUCCESS',
      trade_type: 'NATIVE',
      payer: { sp_openid: 'oScanner' },
    });
    const refused = await wxpay('v3/pay/partner/transactions/out-trade-no/{out_trade_no}/close')
      .post({ sp_mchid: ids().sp_mchid, sub_mchid: ids().sub_mchid }, { out_trade_no: 'NATIVE0002' })
      .catch(errorOf);
    expect(refused).toMatchObject({ status: 400, data: { code: 'ORDER_PAID' } });
  });

  it('answers errors the way WeChat does', async () => {
    const unknown = await query('NOSUCHORDER').catch(errorOf);
    expect(unknown).toMatchObject({ status: 404, data: { code: 'ORDER_NOT_EXIST' } });

    const bad = await wxpay('v3/pay/partner/transactions/jsapi')
      .post(order('BADAMOUNT1', { amount: { total: -1 } }))
      .catch(errorOf);
    expect(bad).toMatchObject({
      status: 400,
      data: { code: 'PARAM_ERROR', detail: { field: 'amount/total', location: 'body' } },
    });

    const noPayer = await wxpay('v3/pay/partner/transactions/jsapi')
      .post(order('NOPAYER001', { payer: undefined }))
      .catch(errorOf);
    expect(noPayer).toMatchObject({ status: 400, data: { code: 'PARAM_ERROR', detail: { field: 'payer' } } });

    // the same out_trade_no: identical retry → same prepay_id; different params → INVALID_REQUEST
    const a = await wxpay('v3/pay/partner/transactions/jsapi').post(order('DUPLICATE1'));
    const b = await wxpay('v3/pay/partner/transactions/jsapi').post(order('DUPLICATE1'));
    expect(b.data.prepay_id).toBe(a.data.prepay_id);
    const c = await wxpay('v3/pay/partner/transactions/jsapi')
      .post(order('DUPLICATE1', { amount: { total: 1 } }))
      .catch(errorOf);
    expect(c).toMatchObject({ status: 400, data: { code: 'INVALID_REQUEST' } });

    // someone else cannot pay a JSAPI order placed for another openid
    const stranger = await fetch(`${sandbox.url}/sandbox/wechat/pay`, {
      method: 'POST',
      body: JSON.stringify({ prepay_id: a.data.prepay_id, openid: 'oSomeoneElse' }),
    });
    expect(stranger.status).toBe(400);
    const unknownPrepay = await fetch(`${sandbox.url}/sandbox/wechat/pay`, {
      method: 'POST',
      body: JSON.stringify({ prepay_id: 'wx0000', openid: 'o1' }),
    });
    expect(unknownPrepay.status).toBe(404);
    const garbage = await fetch(`${sandbox.url}/sandbox/wechat/pay`, { method: 'POST', body: '{not json' });
    expect(garbage.status).toBe(400);
  });

  it('refuses a request signed with the wrong key, a wrong serial, or no signature with 401 SIGN_ERROR', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = officialClient(sandbox, {
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    });
    const wrongKey = await forged('v3/pay/partner/transactions/jsapi')
      .post(order('FORGED0001'))
      .catch(errorOf);
    expect(wrongKey).toMatchObject({ status: 401, data: { code: 'SIGN_ERROR' } });
    const wrongSerial = await officialClient(sandbox, { serial: 'ABCDEF0123456789' })(
      'v3/pay/partner/transactions/jsapi',
    )
      .post(order('FORGED0002'))
      .catch(errorOf);
    expect(wrongSerial).toMatchObject({ status: 401, data: { code: 'SIGN_ERROR' } });
    const unsigned = await fetch(`${sandbox.url}/wechatpay/v3/pay/partner/transactions/jsapi`, {
      method: 'POST',
      body: JSON.stringify(order('FORGED0003')),
    });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ code: 'SIGN_ERROR' });
    // nothing was created by the refused requests
    expect(await query('FORGED0001').catch(errorOf)).toMatchObject({ status: 404 });
  });

  it('applies API faults: system_error is a signed 500 SYSTEM_ERROR, error_5xx a 503, timeout drops the connection', async () => {
    sandbox.ctx.faults.set({ channel: 'wechatpay', operation: 'query', mode: 'system_error', count: 1 });
    expect(await query('JSAPI0001').catch(errorOf)).toMatchObject({
      status: 500,
      data: { code: 'SYSTEM_ERROR' },
    });
    sandbox.ctx.faults.set({ channel: 'wechatpay', operation: 'query', mode: 'error_5xx', count: 1 });
    expect(await query('JSAPI0001').catch(errorOf)).toMatchObject({
      status: 503,
      data: { code: 'SYSTEM_ERROR' },
    });
    sandbox.ctx.faults.set({ channel: 'wechatpay', operation: 'query', mode: 'timeout', count: 1 });
    const held = query('JSAPI0001').catch((e: { code?: string; response?: unknown }) => e);
    await sandbox.held(); // held by the channel until 30 s have passed
    await sandbox.advance(30_000);
    const dropped = await held;
    expect((dropped as { response?: unknown }).response).toBeUndefined();
    expect((await query('JSAPI0001')).data.trade_state).toBe('REFUND'); // the fault is used up
  });

  it('runs the OAuth snsapi_base redirect and code exchange', async () => {
    const authorize = new URL(`${sandbox.url}/wechatpay/connect/oauth2/authorize`);
    authorize.search = new URLSearchParams({
      appid: ids().sp_appid,
      redirect_uri: 'https://merchant.example/cashier?x=1',
      response_type: 'code',
      scope: 'snsapi_base',
      state: 'st8',
      openid: 'oChosen1',
    }).toString();
    const redirect = await fetch(authorize, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const back = new URL(redirect.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('https://merchant.example/cashier');
    expect(back.searchParams.get('state')).toBe('st8');
    const code = back.searchParams.get('code')!;
    const exchange = `${sandbox.url}/wechatpay/sns/oauth2/access_token?appid=${ids().sp_appid}&secret=s&code=${code}&grant_type=authorization_code`;
    expect(await (await fetch(exchange)).json()).toMatchObject({ openid: 'oChosen1', scope: 'snsapi_base' });
    expect(await (await fetch(exchange)).json()).toMatchObject({ errcode: 40163 }); // single use
    const cookie = redirect.headers.get('set-cookie')!.split(';')[0]!;
    authorize.searchParams.delete('openid');
    const again = await fetch(authorize, { redirect: 'manual', headers: { cookie } });
    const code2 = new URL(again.headers.get('location')!).searchParams.get('code')!;
    const same = (await (await fetch(exchange.replace(code, code2))).json()) as { openid: string };
    expect(same.openid).toBe('oChosen1'); // the same browser keeps its openid
    const cookieName = cookie.split('=')[0]!;
    const malformed = await fetch(authorize, {
      redirect: 'manual',
      headers: { cookie: `${cookieName}=%E0` },
    });
    expect(malformed.status).toBe(302); // a broken cookie is ignored (a fresh openid), never a 500
    const page = await fetch(`${sandbox.url}/sandbox/wechat/checkout?prepay_id=nope`);
    expect(page.status).toBe(404);
  });
});
