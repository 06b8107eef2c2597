import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelError,
  type ChannelConfig,
  type ChannelOrder,
  type RefundRequest,
} from '../../src/channels/channel.js';
import { createUnionpayChannel } from '../../src/channels/unionpay/adapter.js';
import { beijingDay } from '../../src/channels/unionpay/protocol/txn-time.js';
import { newId } from '../../src/core/ids.js';
import { generateSandboxKeys } from '../../src/sandbox/keygen.js';
import { registerUnionpaySandbox } from '../../src/sandbox/unionpay/index.js';
import { startNotifyReceiver, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { unionpayConfigFromSandbox } from '../../src/demo/sandbox-configs.js';

/** The UnionPay adapter against the real simulator: every call goes over HTTP, signed and verified. */

let sb: TestSandbox;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
let config: ChannelConfig;
const up = createUnionpayChannel({ timeoutMs: 5_000 });

beforeAll(async () => {
  sb = await startTestSandbox([registerUnionpaySandbox]);
  receiver = await startNotifyReceiver();
  config = unionpayConfigFromSandbox(sb.ctx.keys.unionpay, sb.url);
});
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

function newOrder(amount = 1000): ChannelOrder {
  const now = new Date();
  return {
    outTradeNo: newId('order', now.getTime()),
    amount,
    subject: 'coffee',
    notifyUrl: receiver.url,
    expiresAt: new Date(now.getTime() + 900_000),
    createdAt: now,
  };
}

/** the first notification the adapter parses as being about this order (and refund), once deliveries settled */
async function notified(outTradeNo: string, kind: 'payment' | 'refund') {
  await sb.settled();
  for (const n of receiver.received) {
    const parsed = await up.parseNotification(config, { headers: {}, body: n.body });
    if (parsed.outTradeNo === outTradeNo && parsed.kind === kind) return { parsed, body: n.body };
  }
  throw new Error(`no ${kind} notification for ${outTradeNo}`);
}

const customerPays = (body: Record<string, string>) =>
  fetch(`${sb.url}/sandbox/unionpay/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const refundOf = (order: ChannelOrder, amount: number, over: Partial<RefundRequest> = {}): RefundRequest => ({
  outTradeNo: order.outTradeNo,
  outRefundNo: newId('refund'),
  amount,
  total: order.amount,
  notifyUrl: receiver.url,
  orderCreatedAt: order.createdAt,
  ...over,
});

describe('unionpay_qr (C2B) through the adapter', () => {
  it('create → not_found → customer pays → notification → query → refund → refund query → day bill', async () => {
    const order = newOrder(1000);
    const created = await up.create(config, 'unionpay_qr', order);
    expect(created.action.type).toBe('redirect');
    const action = created.action as { type: 'redirect'; url: string; sandbox_url?: string };
    expect(action.url).toMatch(/^https:\/\/qr\.95516\.com\/00010000\/01\d{30}$/);
    const acpId = order.outTradeNo.slice(4);
    expect(action.sandbox_url).toBe(`${sb.url}/sandbox/unionpay/pay?order_id=${acpId}`);
    const page = await fetch(action.sandbox_url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(acpId); // the simulator's customer page for this very order

    expect((await up.query(config, order)).state).toBe('not_found'); // not scanned yet

    expect((await customerPays({ qr_code: action.url })).status).toBe(200);
    const { parsed } = await notified(order.outTradeNo, 'payment');
    expect(parsed).toMatchObject({
      kind: 'payment',
      outTradeNo: order.outTradeNo,
      status: { state: 'succeeded', amount: 1000 },
    });
    const queryId = parsed.kind === 'payment' ? parsed.status.channelTradeNo : undefined;
    expect(queryId).toMatch(/^\d{21}$/);

    const paid = await up.query(config, order);
    expect(paid).toMatchObject({ state: 'succeeded', amount: 1000, channelTradeNo: queryId });
    expect(Math.abs(paid.paidAt!.getTime() - Date.now())).toBeLessThan(60_000);

    // no channelTradeNo given: the adapter finds the payment's queryId by query
    const refund = refundOf(order, 300);
    const submitted = await up.refund(config, refund);
    expect(submitted).toMatchObject({ state: 'pending', code: '00' }); // 00 = accepted
    const refundNote = await notified(order.outTradeNo, 'refund');
    expect(refundNote.parsed).toMatchObject({
      kind: 'refund',
      outTradeNo: order.outTradeNo,
      outRefundNo: refund.outRefundNo,
      status: { state: 'succeeded', channelRefundNo: submitted.channelRefundNo },
    });
    expect(await up.refundQuery(config, refund)).toMatchObject({
      state: 'succeeded',
      channelRefundNo: submitted.channelRefundNo,
    });
    // the same refund sent again (a lost answer) is found, not paid twice
    expect(await up.refund(config, refund)).toMatchObject({
      state: 'succeeded',
      channelRefundNo: submitted.channelRefundNo,
    });
    // more than is left is refused as a failed refund, not an error
    const tooMuch = await up.refund(config, refundOf(order, 800, { channelTradeNo: queryId }));
    expect(tooMuch).toMatchObject({ state: 'failed', code: '36' });

    const today = beijingDay(new Date());
    const bill = await up.downloadBill(config, `${today.slice(0, 4)}-${today.slice(4, 6)}-${today.slice(6)}`);
    const mine = bill.filter((r) => r.outTradeNo === order.outTradeNo);
    expect(mine).toEqual([
      expect.objectContaining({ kind: 'payment', amount: 1000, channelTradeNo: queryId, fee: 2 }), // the demo pricing's cost, 0.22 %
      expect.objectContaining({ kind: 'refund', amount: 300, outRefundNo: refund.outRefundNo }),
    ]);
  });

  it('a refund query for a refund never sent is not_found; a refund of an unpaid order is refused', async () => {
    const order = newOrder(500);
    await up.create(config, 'unionpay_qr', order);
    expect(await up.refundQuery(config, refundOf(order, 100))).toEqual({ state: 'not_found' });
    await expect(up.refund(config, refundOf(order, 100))).rejects.toMatchObject({ kind: 'rejected' });
  });

  it('close: an unscanned C2B is not_found at UnionPay; a paid one is reported paid, not closed', async () => {
    const order = newOrder(200);
    const created = await up.create(config, 'unionpay_qr', order);
    expect((await up.close(config, order)).state).toBe('not_found');
    await customerPays({ qr_code: (created.action as { url: string }).url });
    expect(await up.close(config, order)).toMatchObject({ state: 'succeeded', amount: 200 });
  });

  it('a second create of the same order and txnTime is refused (12), and micropay is not a create way', async () => {
    const order = newOrder(300);
    await up.create(config, 'unionpay_qr', order);
    await expect(up.create(config, 'unionpay_qr', order)).rejects.toMatchObject({
      kind: 'rejected',
      channelCode: '12',
    });
    await expect(up.create(config, 'unionpay_micropay', order)).rejects.toMatchObject({ kind: 'rejected' });
  });
});

describe('notifications the adapter must refuse', () => {
  it('a tampered, foreign, garbled or untrusted notification is invalid_notification', async () => {
    const order = newOrder(700);
    const created = await up.create(config, 'unionpay_qr', order);
    await customerPays({ qr_code: (created.action as { url: string }).url });
    const { body } = await notified(order.outTradeNo, 'payment');

    const tampered = new URLSearchParams(body);
    tampered.set('txnAmt', '1');
    const bad = (b: string, c = config) => up.parseNotification(c, { headers: {}, body: b });
    await expect(bad(tampered.toString())).rejects.toMatchObject({ kind: 'invalid_notification' });
    const unsigned = new URLSearchParams(body);
    unsigned.delete('signature');
    await expect(bad(unsigned.toString())).rejects.toMatchObject({ kind: 'invalid_notification' });
    await expect(bad('not a form at all')).rejects.toMatchObject({ kind: 'invalid_notification' });
    await expect(bad('')).rejects.toMatchObject({ kind: 'invalid_notification' });
    // a merchant whose root and intermediate are another CA's does not trust UnionPay's sandbox certificate
    const other = (await generateSandboxKeys()).unionpay;
    const otherRoot = {
      ...config,
      fields: { ...config.fields, root_cert: other.root_cert_pem, middle_cert: other.middle_cert_pem },
    };
    await expect(bad(body, otherRoot)).rejects.toMatchObject({ kind: 'invalid_notification' });
    // authentic, but for another UnionPay merchant id
    const otherMer = { ...config, fields: { ...config.fields, mer_id: '777290058110097' } };
    await expect(bad(body, otherMer)).rejects.toMatchObject({ kind: 'invalid_notification' });
    // and the genuine one still parses
    expect((await bad(body)).outTradeNo).toBe(order.outTradeNo);
  });

  it('acknowledges with HTTP 200, refuses with 500 so UnionPay retries', () => {
    expect(up.ack(true)).toMatchObject({ status: 200 });
    expect(up.ack(false)).toMatchObject({ status: 500 });
  });
});

describe('day bill', () => {
  it('a day without transactions (98) is an empty bill; a date that is not a day is refused', async () => {
    expect(await up.downloadBill(config, '2019-02-03')).toEqual([]);
    await expect(up.downloadBill(config, '2026-02-30')).rejects.toBeInstanceOf(ChannelError);
  });
});
