import { afterEach, describe, expect, it } from 'vitest';
import { AcpClient } from '../../src/channels/unionpay/client.js';
import { decodeForm } from '../../src/channels/unionpay/protocol/form.js';
import { txnTimeNow } from '../../src/channels/unionpay/protocol/txn-time.js';
import { UNIONPAY_NOTIFY_RETRY_MS } from '../../src/sandbox/unionpay/messages.js';
import { registerUnionpaySandbox } from '../../src/sandbox/unionpay/index.js';
import { startNotifyReceiver, startTestSandbox, type ReceivedNotification } from '../support/sandbox.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

let seq = 0;

/** A sandbox, a merchant endpoint answering as told, and a paid C2B order. */
async function paidOrder(
  respond: (n: ReceivedNotification, i: number) => { status: number; body?: string },
  options: { fault?: string } = {},
) {
  const sb = await startTestSandbox([registerUnionpaySandbox]);
  const receiver = await startNotifyReceiver(respond);
  cleanup.push(
    () => sb.close(),
    () => receiver.close(),
  );
  const k = sb.ctx.keys.unionpay;
  const client = new AcpClient({
    baseUrl: `${sb.url}/unionpay/`,
    merchant: { merId: k.mer_id, certId: k.cert_id, signPrivateKeyPem: k.sign_private_key },
    trust: { roots: [k.root_cert_pem], intermediates: [k.middle_cert_pem] },
  });
  if (options.fault) {
    const res = await fetch(`${sb.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ channel: 'unionpay', operation: 'notify', mode: options.fault }),
    });
    expect(res.status).toBe(200);
  }
  const orderId = `JPNTF${Date.now()}${++seq}`;
  await client.c2b({ orderId, txnTime: txnTimeNow(sb.ctx.clock), txnAmt: 42, backUrl: receiver.url });
  const paid = await fetch(`${sb.url}/sandbox/unionpay/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order_id: orderId }),
  });
  expect(paid.status).toBe(200);
  await sb.settled(); // the first delivery has been answered
  /** clock times of the attempts, from the first */
  const offsets = () => {
    const times = sb.ctx.notifier.history()[0]!.attempts.map((x) => Date.parse(x.at));
    return times.map((t) => t - times[0]!);
  };
  return { sb, receiver, client, orderId, offsets };
}

describe('UnionPay notifications: ack = HTTP 200, documented retry schedule', () => {
  it('the schedule is ours (UnionPay publishes none): 1, 2, 4, 8, 16 minutes', () => {
    expect(UNIONPAY_NOTIFY_RETRY_MS).toEqual([60_000, 120_000, 240_000, 480_000, 960_000]);
  });

  it('retries after 500 and after 204 (only 200 acks), spaced 1 then 2 minutes, the same signed body', async () => {
    const { sb, receiver, client, offsets } = await paidOrder((_n, i) => ({ status: [500, 204][i] ?? 200 }));
    await sb.advance(60_000 + 120_000 - 1);
    expect(receiver.received).toHaveLength(2);
    await sb.advance(1);
    expect(receiver.received).toHaveLength(3);
    expect(sb.ctx.notifier.pending()).toBe(0);
    expect(offsets()).toEqual([0, 60_000, 180_000]);
    const c = receiver.received[2]!;
    expect(new Set(receiver.received.map((n) => n.body)).size).toBe(1);
    expect(client.parseNotification(c.body).respCode).toBe('00');
    const history = sb.ctx.notifier.history().filter((h) => h.channel === 'unionpay');
    expect(history[0]!.attempts.map((x) => [x.status, x.acked])).toEqual([
      [500, false],
      [204, false],
      [200, true],
    ]);
    await sb.advance(3_600_000);
    expect(receiver.received).toHaveLength(3); // nothing after the ack
  });

  it('gives up after the 5 retries when never acknowledged', async () => {
    const { sb, receiver, offsets } = await paidOrder(() => ({ status: 500 }));
    await sb.advance(31 * 60_000); // 1 + 2 + 4 + 8 + 16 minutes
    expect(sb.ctx.notifier.history()[0]!.done).toBe(true);
    expect(receiver.received).toHaveLength(1 + UNIONPAY_NOTIFY_RETRY_MS.length);
    expect(offsets().at(-1)).toBe(31 * 60_000);
    await sb.advance(24 * 3_600_000);
    expect(receiver.received).toHaveLength(1 + UNIONPAY_NOTIFY_RETRY_MS.length);
  });

  it('duplicate_notify: two deliveries of the same verified notification', async () => {
    const { receiver, client, orderId } = await paidOrder(() => ({ status: 200 }), {
      fault: 'duplicate_notify',
    });
    expect(receiver.received).toHaveLength(2);
    for (const n of receiver.received) expect(client.parseNotification(n.body).orderId).toBe(orderId);
  });

  it('drop_notify: the first delivery is lost, the retry one minute later arrives', async () => {
    const { receiver, sb, offsets } = await paidOrder(() => ({ status: 200 }), { fault: 'drop_notify' });
    await sb.advance(59_999);
    expect(receiver.received).toHaveLength(0);
    await sb.advance(1);
    expect(receiver.received).toHaveLength(1);
    expect(offsets()).toEqual([0, 60_000]);
    expect(sb.ctx.notifier.history()[0]!.attempts[0]!.error).toMatch(/dropped/);
  });

  it('a forged notification (changed amount) does not verify at the merchant', async () => {
    const { receiver, client } = await paidOrder(() => ({ status: 200 }));
    expect(receiver.received).toHaveLength(1);
    const forged = receiver.received[0]!.body.replace(/txnAmt=42/, 'txnAmt=4200');
    expect(decodeForm(forged).txnAmt).toBe('4200');
    expect(() => client.parseNotification(forged)).toThrow(/signature/);
  });
});
