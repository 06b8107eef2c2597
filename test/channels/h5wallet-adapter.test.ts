import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelOrder } from '../../src/channels/channel.js';
import { createH5WalletChannel } from '../../src/channels/h5wallet/adapter.js';
import { H5_WALLET_CONFIG_FIELDS } from '../../src/channels/h5wallet/config.js';
import { returnUrlOf, walletPaymentStatus } from '../../src/channels/h5wallet/status.js';
import { newId } from '../../src/core/ids.js';
import { H5_WALLETS, signWalletMessage } from '../../src/channels/h5wallet/protocol/h5-wallet-protocol.js';
import { registerWalletSandboxes } from '../../src/sandbox/wallets/index.js';
import { startNotifyReceiver, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { h5WalletConfigFromSandbox } from '../../src/demo/sandbox-configs.js';

/** QQ Wallet, JD Pay and Baidu Wallet through one adapter, against the sandbox's H5 wallets. */

let sb: TestSandbox;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;

beforeAll(async () => {
  sb = await startTestSandbox([registerWalletSandboxes]);
  receiver = await startNotifyReceiver();
});
afterEach(() => sb.ctx.faults.clear());
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

function newOrder(amount = 1999): ChannelOrder {
  const now = new Date();
  return {
    outTradeNo: newId('order', now.getTime()),
    amount,
    subject: '咖啡 coffee',
    notifyUrl: receiver.url,
    returnUrl: 'https://shop.example/done',
    expiresAt: new Date(now.getTime() + 900_000),
    createdAt: now,
  };
}

const sandboxCall = (path: string, body: unknown) =>
  fetch(`${sb.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function notificationBody(outTradeNo: string): Promise<string> {
  await sb.settled(); // the deliveries in flight have been answered
  const hit = receiver.received.find((n) => n.body.includes(outTradeNo));
  if (!hit) throw new Error(`no notification for ${outTradeNo}`);
  return hit.body;
}

describe.each(H5_WALLETS)('%s', (wallet) => {
  const channel = createH5WalletChannel(wallet, { timeoutMs: 2_000 });
  const config = () => h5WalletConfigFromSandbox(wallet, sb.url);
  const payWay = channel.payWays[0]!;

  it('create → wallet page → customer confirms → signed notification → query succeeded → close reports paid', async () => {
    const order = newOrder();
    const created = await channel.create(config(), payWay, order);
    expect(created.action).toEqual({
      type: 'redirect',
      url: expect.stringMatching(new RegExp(`^${sb.url}/${wallet}/h5/pay/${wallet}_[0-9a-f]{20}$`)),
    });
    const page = await fetch((created.action as { url: string }).url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('19.99');
    expect(await channel.query(config(), order)).toMatchObject({
      state: 'pending',
      channelTradeNo: created.channelTradeNo,
    });

    expect((await sandboxCall(`/sandbox/${wallet}/pay`, { out_trade_no: order.outTradeNo })).status).toBe(
      200,
    );
    const body = await notificationBody(order.outTradeNo);
    const parsed = await channel.parseNotification(config(), { headers: {}, body });
    expect(parsed).toMatchObject({
      kind: 'payment',
      outTradeNo: order.outTradeNo,
      status: { state: 'succeeded', amount: 1999, channelTradeNo: created.channelTradeNo },
    });
    expect(parsed.kind === 'payment' && parsed.status.paidAt instanceof Date).toBe(true);

    expect(await channel.query(config(), order)).toMatchObject({ state: 'succeeded', amount: 1999 });
    expect(await channel.close(config(), order)).toMatchObject({ state: 'succeeded' });

    // tampered, foreign-keyed or unsigned notifications are refused
    const tampered = JSON.stringify({ ...JSON.parse(body), amount: 1 });
    await expect(channel.parseNotification(config(), { headers: {}, body: tampered })).rejects.toMatchObject({
      kind: 'invalid_notification',
    });
    const otherKey = { ...config(), fields: { ...config().fields, key: 'another-key' } };
    await expect(channel.parseNotification(otherKey, { headers: {}, body })).rejects.toMatchObject({
      kind: 'invalid_notification',
    });
    const otherMerchant = { ...config(), fields: { ...config().fields, merchant_id: '123456' } };
    await expect(channel.parseNotification(otherMerchant, { headers: {}, body })).rejects.toMatchObject({
      kind: 'invalid_notification',
    });
    await expect(
      channel.parseNotification(config(), { headers: {}, body: 'status=SUCCESS' }),
    ).rejects.toMatchObject({ kind: 'invalid_notification' });
  });

  it('an order the wallet never saw is not_found; an unpaid one is closed on close; a cancelled one is closed', async () => {
    expect(await channel.query(config(), newOrder())).toEqual({ state: 'not_found' });
    const unpaid = newOrder();
    await channel.create(config(), payWay, unpaid);
    expect(await channel.close(config(), unpaid)).toMatchObject({ state: 'closed' });
    const cancelled = newOrder();
    await channel.create(config(), payWay, cancelled);
    expect(
      (await sandboxCall(`/sandbox/${wallet}/cancel`, { out_trade_no: cancelled.outTradeNo })).status,
    ).toBe(200);
    expect(await channel.query(config(), cancelled)).toMatchObject({ state: 'closed' });
  });

  it('a repeated create (lost answer) gets the same open payment; another way is refused', async () => {
    const order = newOrder();
    const first = await channel.create(config(), payWay, order);
    expect(await channel.create(config(), payWay, order)).toEqual(first);
    await expect(channel.create(config(), payWay, { ...order, amount: 1 })).rejects.toMatchObject({
      kind: 'rejected',
      channelCode: 'DUPLICATE_OUT_TRADE_NO',
    });
    await expect(channel.create(config(), 'unionpay_qr', newOrder())).rejects.toMatchObject({
      kind: 'rejected',
    });
  });

  it('what the protocol lacks is said plainly: no codes, reverse, refunds or bills', async () => {
    const order = newOrder();
    await expect(channel.payByCode(config(), order, '6200000000000000000')).rejects.toMatchObject({
      kind: 'rejected',
    });
    await expect(channel.reverse(config(), { ...order, requestedAt: new Date() })).rejects.toMatchObject({
      kind: 'rejected',
    });
    const refund = {
      outTradeNo: order.outTradeNo,
      outRefundNo: newId('refund'),
      amount: 1,
      total: 1,
      notifyUrl: receiver.url,
      orderCreatedAt: order.createdAt,
    };
    await expect(channel.refund(config(), refund)).rejects.toThrow(
      /refunds are not supported by this wallet/,
    );
    await expect(channel.refundQuery(config(), refund)).rejects.toMatchObject({
      kind: 'rejected',
      retryable: false,
    });
    expect(await channel.downloadBill(config(), '2026-11-25')).toEqual([]);
    expect(channel.ack(true).status).toBe(200);
    expect(channel.ack(false).status).toBe(500);
  });
});

describe('H5 wallet faults and configuration', () => {
  const qq = createH5WalletChannel('qqwallet', { timeoutMs: 2_000 });
  const config = () => h5WalletConfigFromSandbox('qqwallet', sb.url);
  const fault = (operation: string, mode: 'timeout' | 'error_5xx' | 'system_error') =>
    sb.ctx.faults.set({ channel: 'qqwallet', operation, mode, count: 1 });

  it('system error → system_error; 5xx page → system_error; dropped → timeout; nobody there → network', async () => {
    fault('create', 'system_error');
    await expect(qq.create(config(), 'qqwallet_jsapi', newOrder())).rejects.toMatchObject({
      kind: 'system_error',
      retryable: true,
    });
    fault('query', 'error_5xx');
    await expect(qq.query(config(), newOrder())).rejects.toMatchObject({ kind: 'system_error' });
    fault('query', 'timeout');
    await expect(qq.query(config(), newOrder())).rejects.toMatchObject({ kind: 'timeout' });
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const nowhere = {
      ...config(),
      fields: { ...config().fields, base_url: `http://127.0.0.1:${port}/qqwallet/` },
    };
    await expect(qq.query(nowhere, newOrder())).rejects.toMatchObject({ kind: 'network' });
  });

  it('a wrong key, an unknown merchant, a missing field or another channel is config', async () => {
    const with_ = (over: Record<string, string>) => ({
      ...config(),
      fields: { ...config().fields, ...over },
    });
    await expect(qq.query(with_({ key: 'wrong' }), newOrder())).rejects.toMatchObject({
      kind: 'config',
      channelCode: 'SIGN_ERROR',
    });
    await expect(qq.query(with_({ merchant_id: '123456' }), newOrder())).rejects.toMatchObject({
      kind: 'config',
      channelCode: 'MCH_NOT_EXIST',
    });
    await expect(qq.query(with_({ key: '' }), newOrder())).rejects.toMatchObject({ kind: 'config' });
    await expect(qq.query({ ...config(), channel: 'jdpay' }, newOrder())).rejects.toMatchObject({
      kind: 'config',
    });
    expect(
      Object.entries(H5_WALLET_CONFIG_FIELDS)
        .filter(([, f]) => f.secret)
        .map(([n]) => n),
    ).toEqual(['key']);
  });

  it('an order without a return URL goes back to JuhePay; a bad amount is refused naming the field', async () => {
    const order = { ...newOrder(), returnUrl: undefined };
    expect((await qq.create(config(), 'qqwallet_jsapi', order)).action.type).toBe('redirect');
    await expect(qq.create(config(), 'qqwallet_jsapi', newOrder(0))).rejects.toThrow(/amount/);
  });
});

describe('H5 wallet pure parts', () => {
  it('status table and paid time', () => {
    expect(walletPaymentStatus({ status: 'WAIT_PAY', payment_id: 'p' })).toEqual({
      state: 'pending',
      code: 'WAIT_PAY',
      channelTradeNo: 'p',
    });
    expect(
      walletPaymentStatus({ status: 'SUCCESS', amount: 5, paid_at: '2026-01-01T00:00:00.000Z' }),
    ).toMatchObject({
      state: 'succeeded',
      amount: 5,
      paidAt: new Date('2026-01-01T00:00:00.000Z'),
    });
    expect(walletPaymentStatus({ status: 'CLOSED' }).state).toBe('closed');
    expect(() => walletPaymentStatus({ status: 'REFUNDED' })).toThrow(/unknown/);
  });

  it('return URL falls back to the notify URL origin', () => {
    expect(returnUrlOf('https://shop/x', 'https://pay.example/notify/qqwallet/m')).toBe('https://shop/x');
    expect(returnUrlOf(undefined, 'https://pay.example/notify/qqwallet/m')).toBe('https://pay.example/');
    expect(() => returnUrlOf(undefined, 'nope')).toThrow();
  });

  it('a notification with an unknown status is invalid, even when signed', async () => {
    const config = h5WalletConfigFromSandbox('jdpay', 'http://127.0.0.1:1');
    const body = JSON.stringify(
      signWalletMessage(
        { mch_id: config.fields.merchant_id!, out_trade_no: 'x', status: 'WEIRD' },
        config.fields.key!,
      ),
    );
    await expect(
      createH5WalletChannel('jdpay').parseNotification(config, { headers: {}, body }),
    ).rejects.toMatchObject({ kind: 'invalid_notification' });
  });
});
