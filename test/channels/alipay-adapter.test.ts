import { describe, expect, it } from 'vitest';
import { decodeForm } from '../../src/channels/alipay/protocol/form.js';
import {
  channel,
  env,
  fault,
  notificationsFor,
  order,
  paidQrOrder,
  paycode,
  post,
  refundOf,
  rejection,
  useAlipaySandbox,
} from './alipay-adapter-support.js';

// The alipay adapter against the Alipay simulator over HTTP: creating payments, notifications,
// close, pay by code and reverse.
useAlipaySandbox();

describe('alipay adapter: creating payments', () => {
  it('JSAPI: trade.create → pending → the buyer confirms → succeeded with amount and payer', async () => {
    const o = order({ payerId: 'buyer-alice', returnUrl: 'https://shop.example.com/done?x=1' });
    const created = await channel.create(env.config, 'alipay_jsapi', o);
    expect(created.action).toMatchObject({ type: 'alipay_jsapi' });
    const tradeNo = (created.action as { trade_no: string }).trade_no;
    expect(tradeNo).toMatch(/^\d{28}$/);
    expect(created.channelTradeNo).toBe(tradeNo);
    expect(await channel.query(env.config, o)).toMatchObject({ state: 'pending', channelTradeNo: tradeNo });

    // the sandbox confirm page stands in for AlipayJSBridge: prefilled buyer, back to return_url
    const page = await fetch(created.action.sandbox_url!);
    const html = await page.text();
    expect(created.action.sandbox_url).toContain(
      `${env.sandbox.url}/sandbox/alipay/cashier?trade_no=${tradeNo}`,
    );
    expect(html).toContain('value="buyer-alice"');
    const done = await fetch(`${env.sandbox.url}/sandbox/alipay/cashier`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        trade_no: tradeNo,
        buyer_id: 'buyer-alice',
        action: 'pay',
        return_url: /name="return_url" value="([^"]+)"/.exec(html)![1]!.replaceAll('&#38;', '&'),
      }).toString(),
    });
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('https://shop.example.com/done?x=1');

    const paid = await channel.query(env.config, o);
    expect(paid).toMatchObject({ state: 'succeeded', amount: 1234, channelTradeNo: tradeNo });
    expect(paid.payer).toMatchObject({ buyer_id: 'buyer-alice' });
    expect(paid.paidAt).toBeInstanceOf(Date);
    expect(Math.abs(paid.paidAt!.getTime() - Date.now())).toBeLessThan(10_000);
  });

  it('JSAPI needs a payer; an open_id payer is sent as buyer_open_id; micropay is not a create', async () => {
    expect((await rejection(channel.create(env.config, 'alipay_jsapi', order()))).kind).toBe('rejected');
    const openId = `0${'A'.repeat(45)}`;
    const o = order({ payerId: openId });
    const created = await channel.create(env.config, 'alipay_jsapi', o);
    const tradeNo = (created.action as { trade_no: string }).trade_no;
    expect((await post('/sandbox/alipay/pay', { trade_no: tradeNo, buyer_id: 'buyer-x' })).status).toBe(403);
    expect((await rejection(channel.create(env.config, 'alipay_micropay', order()))).message).toMatch(
      /payByCode/,
    );
    expect((await rejection(channel.create(env.config, 'wechat_jsapi', order()))).kind).toBe('rejected');
  });

  it('QR: precreate → not_found until scanned → succeeded', async () => {
    const o = order({ amount: 1 });
    const created = await channel.create(env.config, 'alipay_qr', o);
    expect(created.action).toMatchObject({ type: 'qr_code' });
    const codeUrl = (created.action as { code_url: string }).code_url;
    expect(codeUrl).toMatch(/^https:\/\/qr\.alipay\.com\/bax[0-9a-z]{22}$/);
    expect(created.action.sandbox_url).toBe(
      `${env.sandbox.url}/sandbox/alipay/cashier?qr_code=${encodeURIComponent(codeUrl)}`,
    );
    expect(await channel.query(env.config, o)).toEqual({ state: 'not_found' });
    expect((await post('/sandbox/alipay/scan', { qr_code: codeUrl, buyer_id: 'buyer-bob' })).status).toBe(
      200,
    );
    expect(await channel.query(env.config, o)).toMatchObject({
      state: 'succeeded',
      amount: 1,
      payer: { buyer_id: 'buyer-bob' },
    });
  });

  it('wap: a signed link that opens the sandbox cashier for the trade', async () => {
    const o = order({ amount: 321, returnUrl: 'https://shop.example.com/r' });
    const created = await channel.create(env.config, 'alipay_wap', o);
    expect(created.action.type).toBe('redirect');
    const url = (created.action as { url: string }).url;
    expect(url.startsWith(`${env.sandbox.url}/alipay/gateway.do?`)).toBe(true);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('3.21');
    expect(html).toMatch(/name="trade_no" value="\d{28}"/);
    expect(await channel.query(env.config, o)).toMatchObject({ state: 'pending' });
  });
});

describe('alipay adapter: notifications', () => {
  it('a payment notification verifies and reads as succeeded; tampering is refused', async () => {
    const o = await paidQrOrder(888);
    await env.sandbox.settled(); // the deliveries in flight have been answered
    const [n] = notificationsFor(o.outTradeNo);
    expect(n).toBeDefined();
    const parsed = await channel.parseNotification(env.config, { headers: n!.headers, body: n!.body });
    expect(parsed).toMatchObject({
      kind: 'payment',
      outTradeNo: o.outTradeNo,
      status: { state: 'succeeded', amount: 888, payer: { buyer_id: 'buyer-qr' } },
    });
    expect(parsed.kind === 'payment' && parsed.status.paidAt).toBeInstanceOf(Date);

    const refuse = async (body: string, cfg = env.config) =>
      (await rejection(channel.parseNotification(cfg, { headers: {}, body }))).kind;
    expect(n!.body).toContain('total_amount=8.88');
    expect(await refuse(n!.body.replace('total_amount=8.88', 'total_amount=0.01'))).toBe(
      'invalid_notification',
    );
    expect(await refuse(n!.body.replace(/sign=[^&]+/, 'sign=AAAA'))).toBe('invalid_notification');
    expect(await refuse('%E0%A4%A')).toBe('invalid_notification');
    expect(await refuse('')).toBe('invalid_notification');
    const otherApp = { ...env.config, fields: { ...env.config.fields, app_id: '2021000000000999' } };
    expect(await refuse(n!.body, otherApp)).toBe('invalid_notification');
    const otherSeller = { ...env.config, fields: { ...env.config.fields, seller_id: '2088000000000999' } };
    expect(await refuse(n!.body, otherSeller)).toBe('invalid_notification');
  });

  it('refund and close notifications read as refund / closed', async () => {
    const o = await paidQrOrder(500);
    await channel.refund(env.config, refundOf(o, 'rfd_n1', 200));
    await env.sandbox.settled();
    const refundNote = notificationsFor(o.outTradeNo).find(
      (n) => decodeForm(n.body)?.out_biz_no === 'rfd_n1',
    );
    expect(
      await channel.parseNotification(env.config, { headers: {}, body: refundNote!.body }),
    ).toMatchObject({
      kind: 'refund',
      outTradeNo: o.outTradeNo,
      outRefundNo: 'rfd_n1',
      status: { state: 'succeeded' },
    });

    const unpaid = order({ payerId: 'buyer-c' });
    await channel.create(env.config, 'alipay_jsapi', unpaid);
    expect((await channel.close(env.config, unpaid)).state).toBe('closed');
    await env.sandbox.settled();
    const closeNote = notificationsFor(unpaid.outTradeNo)[0];
    expect(await channel.parseNotification(env.config, { headers: {}, body: closeNote!.body })).toMatchObject(
      {
        kind: 'payment',
        status: { state: 'closed' },
      },
    );
  });

  it('acknowledges in Alipay\'s format: the body "success", anything else is a failure', () => {
    expect(channel.ack(true)).toEqual({
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: 'success',
    });
    expect(channel.ack(false).body).toBe('fail');
  });
});

describe('alipay adapter: close, pay by code, reverse', () => {
  it('close: an unpaid trade closes; an unscanned code is voided; an unknown trade is not_found; a paid one is reported', async () => {
    const unpaid = order({ payerId: 'buyer-d' });
    await channel.create(env.config, 'alipay_jsapi', unpaid);
    expect(await channel.close(env.config, unpaid)).toMatchObject({ state: 'closed' });
    expect(await channel.query(env.config, unpaid)).toMatchObject({ state: 'closed' });

    const unscanned = order();
    const created = await channel.create(env.config, 'alipay_qr', unscanned);
    expect(await channel.close(env.config, unscanned)).toMatchObject({ state: 'closed' });
    const codeUrl = (created.action as { code_url: string }).code_url;
    expect((await post('/sandbox/alipay/scan', { qr_code: codeUrl, buyer_id: 'late' })).status).toBe(404);

    expect(await channel.close(env.config, order())).toEqual({ state: 'not_found' });

    const paid = await paidQrOrder(700);
    expect(await channel.close(env.config, paid)).toMatchObject({ state: 'succeeded', amount: 700 });
  });

  it('pay by code: success, password (user_paying → succeeded), insufficient funds, invalid code', async () => {
    const ok = order({ amount: 888 });
    const paid = await channel.payByCode(env.config, ok, await paycode('success'));
    expect(paid).toMatchObject({ state: 'succeeded', amount: 888 });
    expect(paid.payer?.buyer_id).toMatch(/^2088\d{12}$/);
    expect(paid.channelTradeNo).toMatch(/^\d{28}$/);

    const pw = order();
    expect(await channel.payByCode(env.config, pw, await paycode('password'))).toMatchObject({
      state: 'user_paying',
    });
    await env.sandbox.advance(9_999);
    expect(await channel.query(env.config, pw)).toMatchObject({ state: 'pending' }); // WAIT_BUYER_PAY
    await env.sandbox.advance(1); // the buyer has entered the password
    const later = await channel.query(env.config, pw);
    expect(later).toMatchObject({ state: 'succeeded', amount: 1234 });

    expect(await channel.payByCode(env.config, order(), await paycode('insufficient_funds'))).toMatchObject({
      state: 'failed',
      code: 'ACQ.BUYER_BALANCE_NOT_ENOUGH',
    });
    const invalid = await channel.payByCode(env.config, order(), '280000000000000000');
    expect(invalid).toMatchObject({ state: 'failed', code: 'ACQ.PAYMENT_AUTH_CODE_INVALID' });
    expect(invalid.message).toBeTruthy();
  });

  it('pay by code retried on a paid trade reports the trade; a system error is an unknown outcome', async () => {
    const o = order({ amount: 50 });
    await channel.payByCode(env.config, o, await paycode('success'));
    expect(await channel.payByCode(env.config, o, await paycode('success'))).toMatchObject({
      state: 'succeeded',
      amount: 50,
    });
    await fault('pay', 'system_error');
    expect(await channel.payByCode(env.config, order(), await paycode('success'))).toMatchObject({
      state: 'user_paying',
      code: 'ACQ.SYSTEM_ERROR',
    });
  });

  it('reverse: a waiting code payment is cancelled; a paid one is refunded; nothing to reverse is done', async () => {
    const waiting = order();
    expect((await channel.payByCode(env.config, waiting, await paycode('timeout'))).state).toBe(
      'user_paying',
    );
    const rev = (o: ReturnType<typeof order>) => ({ ...o, requestedAt: new Date() });
    expect(await channel.reverse(env.config, rev(waiting))).toMatchObject({
      state: 'reversed',
      action: 'close',
    });
    expect(await channel.query(env.config, waiting)).toMatchObject({ state: 'closed' });

    const paid = order({ amount: 66 });
    await channel.payByCode(env.config, paid, await paycode('success'));
    expect(await channel.reverse(env.config, rev(paid))).toMatchObject({
      state: 'reversed',
      action: 'refund',
    });
    expect(await channel.refundQuery(env.config, refundOf(paid, paid.outTradeNo, 66))).toMatchObject({
      state: 'succeeded',
    });
    // cancelled and refunded: trade.query says TRADE_CLOSED with send_pay_date, i.e. paid then refunded,
    // never plain "paid" (it read `succeeded` before the fix)
    expect(await channel.query(env.config, paid)).toMatchObject({ state: 'refunded', amount: 66 });
    // the same cancel again reports the same outcome (Alipay: action refund), never a second refund
    expect(await channel.reverse(env.config, rev(paid))).toMatchObject({
      state: 'reversed',
      action: 'refund',
    });
    expect(await channel.reverse(env.config, rev(order()))).toMatchObject({ state: 'reversed' });
  });
});
