import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelConfig, ChannelOrder } from '../../src/channels/channel.js';
import { ChannelError } from '../../src/channels/channel.js';
import { createWechatpayChannel } from '../../src/channels/wechatpay/adapter.js';
import { beijingDate, paySignMessage, rsaVerify } from '../../src/channels/wechatpay/protocol/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { registerWechatpaySandbox } from '../../src/sandbox/wechatpay/index.js';
import {
  startNotifyReceiver,
  startTestSandbox,
  type ReceivedNotification,
  type TestSandbox,
} from '../support/sandbox.js';
import { channelOrder, rejection } from '../support/channel-calls.js';
import {
  wechatpayConfigFromSandbox,
  type WechatpaySandboxCredentials,
} from '../../src/demo/sandbox-configs.js';

/** The wechatpay adapter end to end against the sandbox, through the official client it is built on. */
describe('wechatpay channel adapter against the sandbox', () => {
  let sandbox: TestSandbox;
  let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
  let config: ChannelConfig;
  const clock = new ManualClock(Date.now());
  const channel = createWechatpayChannel({ clock, timeoutMs: 2_000 });

  beforeAll(async () => {
    sandbox = await startTestSandbox([registerWechatpaySandbox], { clock }); // the adapter's time
    receiver = await startNotifyReceiver();
    const credentials = (await (await fetch(`${sandbox.url}/sandbox/credentials`)).json()) as {
      wechatpay: WechatpaySandboxCredentials;
    };
    config = wechatpayConfigFromSandbox(credentials.wechatpay, sandbox.url);
  });
  afterAll(async () => {
    await receiver.close();
    await sandbox.close();
  });

  const keys = () => sandbox.ctx.keys.wechatpay;
  const newOrder = (amount: number, extra: Partial<ChannelOrder> = {}) =>
    channelOrder(receiver.url, amount, extra);
  const post = (path: string, body: unknown) =>
    fetch(`${sandbox.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  /** the notification (by index) that the sandbox delivered to the receiver, once deliveries have settled */
  const nextNotification = async (index: number): Promise<ReceivedNotification> => {
    await sandbox.settled();
    const n = receiver.received[index];
    if (!n) throw new Error(`no notification #${index}`);
    return n;
  };
  const raw = (n: ReceivedNotification) => ({ headers: n.headers, body: n.body });
  const payNative = async (order: ChannelOrder) => {
    const { action } = await channel.create(config, 'wechat_native', order);
    if (action.type !== 'qr_code') throw new Error('expected a QR code');
    expect(
      (await post('/sandbox/wechat/scan', { code_url: action.code_url, openid: 'oScanner' })).status,
    ).toBe(200);
  };

  it('JSAPI: create → paySign verifies → pending → pay → succeeded, notification parsed and acked', async () => {
    const order = newOrder(1234, { payerId: 'oJsapiPayer1', returnUrl: 'https://shop.example/done' });
    const seen = receiver.received.length;
    const { action } = await channel.create(config, 'wechat_jsapi', order);
    expect(action.type).toBe('wechat_jsapi');
    if (action.type !== 'wechat_jsapi') return;
    const p = action.params;
    expect(Object.keys(p).sort()).toEqual([
      'appId',
      'nonceStr',
      'package',
      'paySign',
      'signType',
      'timeStamp',
    ]);
    expect(p).toMatchObject({
      appId: keys().sp_appid,
      signType: 'RSA',
      timeStamp: String(Math.floor(clock.nowMs() / 1000)),
    });
    expect(p.package).toMatch(/^prepay_id=wx\d{14}[0-9a-f]{20}$/);
    const message = paySignMessage(p.appId!, p.timeStamp!, p.nonceStr!, p.package!);
    expect(rsaVerify(message, p.paySign!, keys().merchant_public_key)).toBe(true);
    expect(rsaVerify(message.replace('RSA', 'x'), p.paySign!, keys().merchant_public_key)).toBe(true); // RSA is not in the message
    expect(
      rsaVerify(
        paySignMessage(p.appId!, '1', p.nonceStr!, p.package!),
        p.paySign!,
        keys().merchant_public_key,
      ),
    ).toBe(false);
    const prepayId = p.package!.slice('prepay_id='.length);
    const checkout = new URL(action.sandbox_url!);
    expect(`${checkout.origin}${checkout.pathname}`).toBe(`${sandbox.url}/sandbox/wechat/checkout`);
    expect(checkout.searchParams.get('prepay_id')).toBe(prepayId);
    expect(checkout.searchParams.get('return_url')).toBe('https://shop.example/done');
    const page = await (await fetch(action.sandbox_url!)).text();
    expect(page).toContain('¥12.34');
    expect(page).toContain('https://shop.example/done');
    // an identical retry gets the same prepay_id
    const again = await channel.create(config, 'wechat_jsapi', order);
    expect(again.action.type === 'wechat_jsapi' && again.action.params.package).toBe(p.package);

    expect(await channel.query(config, order)).toMatchObject({ state: 'pending', code: 'NOTPAY' });
    expect((await post('/sandbox/wechat/pay', { prepay_id: prepayId })).status).toBe(200);
    const paid = await channel.query(config, order);
    expect(paid).toMatchObject({
      state: 'succeeded',
      amount: 1234,
      payer: { openid: 'oJsapiPayer1', sp_openid: 'oJsapiPayer1' },
    });
    expect(paid.channelTradeNo).toMatch(/^4200\d{24}$/);
    expect(Math.abs(paid.paidAt!.getTime() - clock.nowMs())).toBeLessThan(5_000);

    const notification = await channel.parseNotification(config, raw(await nextNotification(seen)));
    expect(notification).toEqual({ kind: 'payment', outTradeNo: order.outTradeNo, status: paid });
    expect(channel.ack(true)).toEqual({ status: 204, contentType: 'text/plain', body: '' });
    const refused = channel.ack(false);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'FAIL' });
  });

  it('refuses tampered, probing, stale and foreign notifications as invalid_notification', async () => {
    const order = newOrder(500);
    const seen = receiver.received.length;
    await payNative(order);
    const n = await nextNotification(seen);
    const ok = await channel.parseNotification(config, raw(n));
    expect(ok).toMatchObject({
      kind: 'payment',
      outTradeNo: order.outTradeNo,
      status: { state: 'succeeded', amount: 500 },
    });
    const cases: Array<[string, { headers: ReceivedNotification['headers']; body: string }, ChannelConfig]> =
      [
        [
          'tampered body',
          { headers: n.headers, body: n.body.replace('"summary":"', '"summary":"x') },
          config,
        ],
        [
          'signature probe',
          { headers: { ...n.headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/abc' }, body: n.body },
          config,
        ],
        ['no headers', { headers: {}, body: n.body }, config],
        [
          'unknown serial',
          { headers: { ...n.headers, 'wechatpay-serial': 'PUB_KEY_ID_X' }, body: n.body },
          config,
        ],
        ['another merchant', raw(n), { ...config, fields: { ...config.fields, sub_mchid: '1999999999' } }],
        ['wrong APIv3 key', raw(n), { ...config, fields: { ...config.fields, apiv3_key: 'Z'.repeat(32) } }],
      ];
    for (const [what, notification, cfg] of cases) {
      const error = await rejection(channel.parseNotification(cfg, notification));
      expect(error, what).toBeInstanceOf(ChannelError);
      expect(error!.kind, what).toBe('invalid_notification');
    }
    const late = createWechatpayChannel({ clock: new ManualClock(clock.nowMs() + 10 * 60_000) });
    expect((await rejection(late.parseNotification(config, raw(n))))?.channelCode).toBe('CLOCK_SKEW');
  });

  it('Native: code_url; close unpaid → closed; close paid → succeeded; close unknown → not_found', async () => {
    const unpaid = newOrder(300);
    const { action } = await channel.create(config, 'wechat_native', unpaid);
    expect(action).toMatchObject({ type: 'qr_code' });
    expect(action.type === 'qr_code' && action.code_url).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    expect(action.sandbox_url).toBeUndefined();
    expect(await channel.close(config, unpaid)).toMatchObject({ state: 'closed', code: 'CLOSED' });
    expect(await channel.query(config, unpaid)).toMatchObject({ state: 'closed' });
    expect(await channel.close(config, unpaid)).toMatchObject({ state: 'closed' }); // closing twice is fine

    const paidOrder = newOrder(301);
    await payNative(paidOrder);
    expect(await channel.close(config, paidOrder)).toMatchObject({ state: 'succeeded', amount: 301 });
    expect(await channel.close(config, newOrder(1))).toMatchObject({
      state: 'not_found',
      code: 'ORDERNOTEXIST',
    });
    expect(await channel.query(config, newOrder(1))).toMatchObject({ state: 'not_found' });
  });

  it('refuses bad create input without a 5xx: JSAPI without openid, other pay ways, bad amount', async () => {
    expect((await rejection(channel.create(config, 'wechat_jsapi', newOrder(1))))?.kind).toBe('rejected');
    expect((await rejection(channel.create(config, 'alipay_qr', newOrder(1))))?.kind).toBe('rejected');
    const zero = await rejection(channel.create(config, 'wechat_native', newOrder(0)));
    expect(zero).toMatchObject({ kind: 'rejected', channelCode: 'PARAM_ERROR', retryable: false });
  });

  it('付款码: success, password (user_paying then succeeded by query), insufficient funds, bad codes', async () => {
    const issue = (scenario: 'success' | 'password' | 'timeout' | 'insufficient_funds') =>
      sandbox.ctx.paycodes.issue('wechat', scenario);
    const ok = newOrder(888);
    const code = issue('success');
    const paid = await channel.payByCode(config, ok, code);
    expect(paid).toMatchObject({ state: 'succeeded', amount: 888 });
    expect(paid.channelTradeNo).toMatch(/^4200\d{24}$/);
    expect(paid.payer?.openid).toMatch(/^o\d{12}sandboxpayer$/);
    expect(paid.paidAt).toBeInstanceOf(Date);
    expect(await channel.query(config, ok)).toMatchObject({
      state: 'succeeded',
      amount: 888,
      channelTradeNo: paid.channelTradeNo,
    });
    expect(await channel.payByCode(config, ok, code)).toMatchObject({ state: 'succeeded' }); // a retry reports the payment
    expect(await channel.payByCode(config, newOrder(1), code)).toMatchObject({
      state: 'failed',
      code: 'AUTHCODEEXPIRE',
    });

    const slow = newOrder(66);
    expect(await channel.payByCode(config, slow, issue('password'))).toMatchObject({
      state: 'user_paying',
      code: 'USERPAYING',
    });
    await sandbox.advance(9_999); // the customer is still entering the PIN
    expect(await channel.query(config, slow)).toMatchObject({ state: 'user_paying' });
    await sandbox.advance(1);
    expect(await channel.query(config, slow)).toMatchObject({ state: 'succeeded', amount: 66 });

    expect(await channel.payByCode(config, newOrder(5), issue('insufficient_funds'))).toMatchObject({
      state: 'failed',
      code: 'NOTENOUGH',
      message: '余额不足',
    });
    expect(await channel.payByCode(config, newOrder(5), '134567890123456789')).toMatchObject({
      state: 'failed',
      code: 'AUTH_CODE_INVALID',
    });
    expect(await channel.payByCode(config, newOrder(5), 'abc')).toMatchObject({
      state: 'failed',
      code: 'AUTH_CODE_INVALID',
    });
    sandbox.ctx.faults.set({ channel: 'wechatpay', operation: 'micropay', mode: 'system_error', count: 1 });
    expect(await channel.payByCode(config, newOrder(5), issue('success'))).toMatchObject({
      state: 'user_paying',
      code: 'SYSTEMERROR',
    });
  });

  it('reverse: refused as "retry" before 15 s, then done; the trade is closed; JSAPI trades cannot be reversed', async () => {
    const rev = (o: ReturnType<typeof newOrder>) => ({ ...o, requestedAt: new Date() });
    const order = newOrder(10);
    expect(
      await channel.payByCode(config, order, sandbox.ctx.paycodes.issue('wechat', 'timeout')),
    ).toMatchObject({ state: 'user_paying' });
    await sandbox.advance(14_999);
    expect(await channel.reverse(config, rev(order))).toMatchObject({
      state: 'pending',
      code: 'SYSTEMERROR',
    });
    await sandbox.advance(1); // 15 s after the attempt
    expect(await channel.reverse(config, rev(order))).toEqual({ state: 'reversed' });
    expect(await channel.query(config, order)).toMatchObject({ state: 'closed', code: 'REVOKED' });
    expect(await channel.reverse(config, rev(order))).toEqual({ state: 'reversed' }); // reversing again is harmless
    expect(await channel.reverse(config, rev(newOrder(1)))).toMatchObject({
      state: 'reversed',
      action: 'close',
    }); // nothing to reverse

    const jsapi = newOrder(11, { payerId: 'oX' });
    await channel.create(config, 'wechat_jsapi', jsapi);
    await sandbox.advance(15_000);
    // WeChat will not reverse it: the trade stays as WeChat has it
    expect(await channel.reverse(config, rev(jsapi))).toMatchObject({
      state: 'refused',
      code: 'TRADE_ERROR',
    });
  });

  it('refund → pending, refundQuery → succeeded, REFUND.SUCCESS parsed; unknown refund → not_found; over-refund rejected', async () => {
    const order = newOrder(2000);
    await payNative(order);
    const paid = await channel.query(config, order);
    const seen = receiver.received.length;
    const request = {
      outTradeNo: order.outTradeNo,
      channelTradeNo: paid.channelTradeNo,
      outRefundNo: newId('refund'),
      amount: 700,
      total: 2000,
      reason: '顾客退货',
      notifyUrl: receiver.url,
      orderCreatedAt: order.createdAt,
    };
    const applied = await channel.refund(config, request);
    expect(applied).toMatchObject({ state: 'pending' });
    expect(applied.channelRefundNo).toMatch(/^5\d{28}$/);
    expect(await channel.refund(config, request)).toMatchObject({ channelRefundNo: applied.channelRefundNo }); // same out_refund_no
    expect(await channel.refundQuery(config, request)).toMatchObject({ state: 'pending' });
    await sandbox.advance(5_000); // WeChat settles a refund after 5 s (sandbox)
    const status = await channel.refundQuery(config, request);
    expect(status).toEqual({ state: 'succeeded', channelRefundNo: applied.channelRefundNo });
    const n = await channel.parseNotification(config, raw(await nextNotification(seen)));
    expect(n).toEqual({
      kind: 'refund',
      outTradeNo: order.outTradeNo,
      outRefundNo: request.outRefundNo,
      status,
    });
    expect(await channel.refundQuery(config, { ...request, outRefundNo: newId('refund') })).toMatchObject({
      state: 'not_found',
    });
    const tooMuch = await rejection(
      channel.refund(config, { ...request, outRefundNo: newId('refund'), amount: 1301 }),
    );
    expect(tooMuch).toMatchObject({ kind: 'rejected', channelCode: 'INVALID_REQUEST', retryable: false });
  });

  it('downloadBill: today has the paid orders and refunds with fees; an empty day is []; a bad date is refused', async () => {
    const a = newOrder(10_000);
    const b = newOrder(3);
    await payNative(a);
    await payNative(b);
    const refundNo = newId('refund');
    const req = {
      outTradeNo: a.outTradeNo,
      outRefundNo: refundNo,
      amount: 2500,
      total: 10_000,
      notifyUrl: receiver.url,
      orderCreatedAt: a.createdAt,
    };
    await channel.refund(config, req);
    await sandbox.advance(5_000);
    expect(await channel.refundQuery(config, req)).toMatchObject({ state: 'succeeded' });
    const records = await channel.downloadBill(config, beijingDate(clock.now()));
    const mine = records.filter((r) => r.outTradeNo === a.outTradeNo || r.outTradeNo === b.outTradeNo);
    expect(mine.map((r) => [r.outTradeNo, r.kind, r.amount, r.fee, r.outRefundNo]).sort()).toEqual(
      [
        // the sandbox charges its pricing's channel cost (the demo's 0.20 %); a refund gives back its share
        [a.outTradeNo, 'payment', 10_000, 20, undefined],
        [b.outTradeNo, 'payment', 3, 0, undefined],
        [a.outTradeNo, 'refund', 2500, -5, refundNo],
      ].sort(),
    );
    expect(
      mine.every(
        (r) => /^4200\d{24}$/.test(r.channelTradeNo) && Math.abs(r.at.getTime() - clock.nowMs()) < 60_000,
      ),
    ).toBe(true);
    // totals over the whole day match what this suite paid: every payment record is one of our succeeded trades
    const payments = records.filter((r) => r.kind === 'payment');
    for (const p of payments)
      expect(await channel.query(config, { outTradeNo: p.outTradeNo, createdAt: new Date() })).toMatchObject({
        state: 'succeeded',
        amount: p.amount,
      });
    expect(await channel.downloadBill(config, '2020-01-01')).toEqual([]);
    expect(await rejection(channel.downloadBill(config, '2020/01/01'))).toMatchObject({ kind: 'rejected' });
  });

  it('payerAuth: authorize URL → sandbox redirect with a code → openid; a used code is refused', async () => {
    const auth = channel.payerAuth!;
    const url = auth.authorizeUrl(config, 'https://pay.example/cashier/wx?plate=P1', 'st-42');
    expect(url).toBe(
      `${sandbox.url}/wechatpay/connect/oauth2/authorize?appid=${keys().sp_appid}` +
        `&redirect_uri=${encodeURIComponent('https://pay.example/cashier/wx?plate=P1')}` +
        '&response_type=code&scope=snsapi_base&state=st-42#wechat_redirect',
    );
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe('https://pay.example/cashier/wx');
    expect(back.searchParams.get('plate')).toBe('P1');
    expect(back.searchParams.get('state')).toBe('st-42');
    const code = back.searchParams.get('code')!;
    const openid = await auth.payerId(config, code);
    expect(openid).toMatch(/^o[\w-]{20,}$/);
    expect(await rejection(auth.payerId(config, code))).toMatchObject({
      kind: 'rejected',
      channelCode: '40163',
    });
    expect(await rejection(auth.payerId(config, 'nonsense'))).toMatchObject({
      kind: 'rejected',
      channelCode: '40029',
    });
    const { app_secret: _drop, ...noSecret } = config.fields;
    expect(await rejection(auth.payerId({ ...config, fields: noSecret }, code))).toMatchObject({
      kind: 'config',
    });

    // the openid orders a JSAPI trade that the same customer pays
    const order = newOrder(77, { payerId: openid });
    const { action } = await channel.create(config, 'wechat_jsapi', order);
    const prepayId = action.type === 'wechat_jsapi' ? action.params.package!.slice(10) : '';
    expect((await post('/sandbox/wechat/pay', { prepay_id: prepayId })).status).toBe(200);
    expect(await channel.query(config, order)).toMatchObject({ state: 'succeeded', payer: { openid } });
  });

  it('with sub_appid: OAuth and paySign use sub_appid, the order is placed for sub_openid', async () => {
    const sub = { ...config, fields: { ...config.fields, sub_appid: keys().sub_appid } };
    expect(channel.payerAuth!.authorizeUrl(sub, 'https://x.example/', 's')).toContain(
      `appid=${keys().sub_appid}&`,
    );
    const order = newOrder(42, { payerId: 'oSubOpenid' });
    const { action } = await channel.create(sub, 'wechat_jsapi', order);
    expect(action.type === 'wechat_jsapi' && action.params.appId).toBe(keys().sub_appid);
    const prepayId = action.type === 'wechat_jsapi' ? action.params.package!.slice(10) : '';
    expect((await post('/sandbox/wechat/pay', { prepay_id: prepayId })).status).toBe(200);
    expect(await channel.query(sub, order)).toMatchObject({
      payer: { openid: 'oSubOpenid', sub_openid: 'oSubOpenid' },
    });
  });
});
