import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../support/db.js';
import { bindPlate, createBlankPlates } from '../../src/merchants/plates/store.js';
import { inTransaction } from '../../src/platform/db/index.js';
import { startPaymentsEnv, walletAction, type PaymentsEnv } from '../support/payments.js';

const UA = {
  wechat:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47 NetType/WIFI',
  alipay: 'Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Mobile Safari/537.36 AlipayClient/10.5.86.8000',
  unionpay: 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 (UnionPay/1.0 CloudPay)',
  qq: 'Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 Mobile Safari/537.36 QQ/8.9.0.9110 NetType/WIFI',
  jd: 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 jdapp;iPhone;12.1.0',
  baidu: 'Mozilla/5.0 (Linux; Android 11) AppleWebKit/537.36 Mobile Safari/537.36 baiduboxapp/13.0.0.11',
};

async function sandboxPost(env: PaymentsEnv, path: string, body: unknown) {
  const res = await fetch(`${env.sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
}

describeEachEngine('payments through the cashier and the sandbox channels', (ctx) => {
  let env: PaymentsEnv;
  beforeAll(async () => {
    env = await startPaymentsEnv(ctx.database);
  });
  afterAll(() => env.close());

  const newOrder = async (no: string, extra: Record<string, unknown> = {}) => {
    const res = await env.api('POST', '/v1/orders', {
      mch_order_no: no,
      amount: 1234,
      subject: 'Flat white',
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; qr_code: string; status: string };
  };
  const paid = (id: string) =>
    env
      .eventually(async () => {
        const res = await env.api('GET', `/v1/orders/${id}`);
        return res.body.status === 'succeeded' ? res.body : undefined;
      }, `order ${id} to succeed`)
      .catch(async (error: Error) => {
        const log = await ctx.database.db.selectFrom('channel_notifications').selectAll().execute();
        const sent = await (await fetch(`${env.sandbox.url}/sandbox/notifications`)).json();
        throw new Error(
          `${error.message}\nreceived: ${JSON.stringify(log)}\nsent: ${JSON.stringify(sent).slice(0, 1500)}`,
        );
      });

  it('WeChat JSAPI: OAuth for the openid, JSAPI params, the customer pays, the notification makes it succeed', async () => {
    const order = await newOrder('WX-1');
    const step = await walletAction(env.baseUrl, order.id, UA.wechat);
    expect(step).toMatchObject({
      wallet: 'wechat',
      pay_way: 'wechat_jsapi',
      action: { type: 'wechat_jsapi' },
    });
    const params = step.action.params as Record<string, string>;
    expect(params.package).toMatch(/^prepay_id=/);
    expect(params.signType).toBe('RSA');
    const prepayId = params.package!.slice('prepay_id='.length);
    const openid = (
      await ctx.database.db
        .selectFrom('orders')
        .select('channel_payer_id')
        .where('id', '=', order.id)
        .executeTakeFirstOrThrow()
    ).channel_payer_id;
    expect(openid).toBeTruthy();
    expect(
      (await sandboxPost(env, '/sandbox/wechat/pay', { prepay_id: prepayId, openid })).status,
    ).toBeLessThan(300);
    const done = await paid(order.id);
    expect(done).toMatchObject({ channel: 'wechatpay', pay_way: 'wechat_jsapi', amount: 1234 });
    expect(done.channel_trade_no).toBeTruthy();
    expect(done.paid_at).toBeTruthy();
    // the merchant's webhook event, in order, listed with the order
    const events = await env.api('GET', `/v1/events?object_id=${order.id}`);
    expect(events.status).toBe(200);
    expect(events.body.data).toHaveLength(1);
    expect(events.body.data[0]).toMatchObject({ type: 'order.succeeded', sequence: 1 });
  });

  it('Alipay JSAPI: OAuth for the buyer id, trade_no, the customer pays', async () => {
    const order = await newOrder('ALI-1');
    const step = await walletAction(env.baseUrl, order.id, UA.alipay);
    expect(step).toMatchObject({
      wallet: 'alipay',
      pay_way: 'alipay_jsapi',
      action: { type: 'alipay_jsapi' },
    });
    const buyer = (
      await ctx.database.db
        .selectFrom('orders')
        .select('channel_payer_id')
        .where('id', '=', order.id)
        .executeTakeFirstOrThrow()
    ).channel_payer_id;
    expect(
      (await sandboxPost(env, '/sandbox/alipay/pay', { trade_no: step.action.trade_no, buyer_id: buyer }))
        .status,
    ).toBeLessThan(300);
    expect(await paid(order.id)).toMatchObject({ channel: 'alipay', pay_way: 'alipay_jsapi' });
  });

  it('Alipay QR: the order carries the precreated code; the customer scans it and pays', async () => {
    const order = await newOrder('ALI-QR-1', { pay_way: 'alipay_qr' });
    expect(order.qr_code).toMatch(/^https:\/\/qr\.alipay\.com\//);
    expect(order.status).toBe('paying');
    expect(
      (
        await sandboxPost(env, '/sandbox/alipay/scan', {
          qr_code: order.qr_code,
          buyer_id: '2088000000000001',
        })
      ).status,
    ).toBeLessThan(300);
    expect(await paid(order.id)).toMatchObject({ pay_way: 'alipay_qr' });
  });

  it('UnionPay C2B from the UnionPay app', async () => {
    const order = await newOrder('UP-1');
    const step = await walletAction(env.baseUrl, order.id, UA.unionpay);
    expect(step).toMatchObject({ wallet: 'unionpay', pay_way: 'unionpay_qr', action: { type: 'redirect' } });
    expect(
      (await sandboxPost(env, '/sandbox/unionpay/pay', { order_id: order.id.slice(4) })).status,
    ).toBeLessThan(300);
    expect(await paid(order.id)).toMatchObject({ channel: 'unionpay' });
  });

  it.each([
    ['qqwallet', UA.qq],
    ['jdpay', UA.jd],
    ['baiduwallet', UA.baidu],
  ])('%s H5 wallet', async (wallet, ua) => {
    const order = await newOrder(`H5-${wallet}`);
    const step = await walletAction(env.baseUrl, order.id, ua);
    expect(step).toMatchObject({ wallet, action: { type: 'redirect' } });
    const paymentId = /\/h5\/pay\/([^/?#]+)/.exec(step.action.url!)?.[1];
    expect(paymentId).toBeTruthy();
    expect((await sandboxPost(env, `/sandbox/${wallet}/pay`, { payment_id: paymentId })).status).toBeLessThan(
      300,
    );
    expect(await paid(order.id)).toMatchObject({ channel: wallet });
  });

  it('a bound plate takes an amount, makes an order for its merchant, and the wallet pays it', async () => {
    const { codes } = await createBlankPlates(ctx.database.db, 1, env.clock);
    await inTransaction(ctx.database.db, (tx) => bindPlate(tx, codes[0]!, env.t.merchantId, null, env.clock));
    const res = await fetch(`${env.baseUrl}/q/${codes[0]}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 2500 }),
    });
    expect(res.status).toBe(201);
    const { order_id, cashier_url } = (await res.json()) as { order_id: string; cashier_url: string };
    expect(cashier_url).toBe(`${env.baseUrl}/pay/${order_id}`);
    const step = await walletAction(env.baseUrl, order_id, UA.wechat);
    const prepayId = (step.action.params as Record<string, string>).package!.slice('prepay_id='.length);
    const openid = (
      await ctx.database.db
        .selectFrom('orders')
        .select('channel_payer_id')
        .where('id', '=', order_id)
        .executeTakeFirstOrThrow()
    ).channel_payer_id;
    expect(
      (await sandboxPost(env, '/sandbox/wechat/pay', { prepay_id: prepayId, openid })).status,
    ).toBeLessThan(300);
    const done = await paid(order_id);
    expect(done).toMatchObject({
      merchant_id: env.t.merchantId,
      amount: 2500,
      metadata: { plate_code: codes[0] },
    });
  });

  it('shows a plain browser the wallets that can pay', async () => {
    const order = await newOrder('PLAIN-1');
    const res = await fetch(`${env.baseUrl}/pay/${order.id}`, {
      headers: { accept: 'application/json', 'user-agent': 'Mozilla/5.0 Safari/604.1' },
    });
    const body = (await res.json()) as { wallet: null; wallets: Array<{ wallet: string }> };
    expect(body.wallet).toBeNull();
    expect(body.wallets.map((w) => w.wallet)).toEqual([
      'wechat',
      'alipay',
      'unionpay',
      'qqwallet',
      'jdpay',
      'baiduwallet',
    ]);
    const page = await fetch(`${env.baseUrl}/pay/${order.id}`, {
      headers: { 'user-agent': 'Mozilla/5.0 Safari/604.1' },
    });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('12.34');
  });
});
