import { afterEach, describe, expect, it } from 'vitest';
import { NOTIFY_RETRY_DELAYS_MS } from '../../src/channels/wechatpay/protocol/index.js';
import { registerWechatpaySandbox } from '../../src/sandbox/wechatpay/index.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { officialClient, verifyingReceiver, waitFor } from './wechatpay-support.js';

/** TRANSACTION.SUCCESS delivery: ack rule, the 15-step retry schedule (compressed), notify faults. */
describe('WeChat Pay sandbox notifications', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (open.length) await open.pop()!.close();
  });

  async function setup(timeScale: number, ack: (i: number) => number) {
    const sandbox: TestSandbox = await startTestSandbox([registerWechatpaySandbox], { timeScale });
    const receiver = await verifyingReceiver(sandbox, ack);
    open.push(receiver, sandbox);
    const w = sandbox.ctx.keys.wechatpay;
    const wxpay = officialClient(sandbox);
    const payOrder = async (outTradeNo: string) => {
      const { data } = await wxpay('v3/pay/partner/transactions/jsapi').post({
        sp_appid: w.sp_appid,
        sp_mchid: w.sp_mchid,
        sub_mchid: w.sub_mchid,
        description: 'notify test',
        out_trade_no: outTradeNo,
        notify_url: receiver.url,
        amount: { total: 100 },
        payer: { sp_openid: 'oNotify' },
      });
      const res = await fetch(`${sandbox.url}/sandbox/wechat/pay`, {
        method: 'POST',
        body: JSON.stringify({ prepay_id: data.prepay_id }),
      });
      expect(res.status).toBe(200);
    };
    return { sandbox, receiver, payOrder };
  }

  it('retries an unacknowledged notification 15 times on the 24h4m schedule, then gives up', async () => {
    const timeScale = 100_000;
    const { sandbox, receiver, payOrder } = await setup(timeScale, () => 500);
    await payOrder('RETRY00001');
    await waitFor(
      () => (sandbox.ctx.notifier.pending() === 0 && receiver.received.length > 0 ? true : undefined),
      10_000,
      'schedule end',
    );
    expect(receiver.received).toHaveLength(1 + NOTIFY_RETRY_DELAYS_MS.length);
    expect(NOTIFY_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)).toBe((24 * 60 + 4) * 60_000);
    const span = receiver.received.at(-1)!.at - receiver.received[0]!.at;
    expect(span).toBeGreaterThanOrEqual(Math.floor(((24 * 60 + 4) * 60_000) / timeScale) - 5);
    // every attempt is re-signed: fresh nonces, the same notification id
    const nonces = new Set(receiver.received.map((n) => n.headers['wechatpay-nonce']));
    expect(nonces.size).toBe(receiver.received.length);
    const envelopeIds = new Set(receiver.parsed.map((p) => (p.ok ? p.envelope.id : 'bad')));
    expect([...envelopeIds]).toHaveLength(1);
    expect(envelopeIds.has('bad')).toBe(false);
  });

  it('stops at the first 200/204, whatever the body; a 4xx answer is retried', async () => {
    const { sandbox, receiver, payOrder } = await setup(1000, (i) => (i === 0 ? 400 : 204));
    await payOrder('ACK0000001');
    await waitFor(
      () => (sandbox.ctx.notifier.pending() === 0 && receiver.received.length > 0 ? true : undefined),
      5_000,
      'ack',
    );
    expect(receiver.received).toHaveLength(2);
    const history = sandbox.ctx.notifier.history()[0]!;
    expect(history.attempts.map((a) => a.acked)).toEqual([false, true]);
    expect(history.done).toBe(true);
  });

  it('duplicate_notify delivers the same notification twice; drop_notify loses the first attempt and the 15 s retry brings it', async () => {
    const { sandbox, receiver, payOrder } = await setup(1000, () => 200);
    sandbox.ctx.faults.set({ channel: 'wechatpay', operation: 'notify', mode: 'duplicate_notify', count: 1 });
    await payOrder('DUP0000001');
    await waitFor(() => (receiver.received.length >= 2 ? true : undefined), 5_000, 'two copies');
    const [a, b] = receiver.parsed;
    expect(a?.ok && b?.ok && a.envelope.id === b.envelope.id).toBe(true);

    sandbox.ctx.faults.set({ channel: 'wechatpay', operation: 'notify', mode: 'drop_notify', count: 1 });
    const before = receiver.received.length;
    const sentAt = Date.now();
    await payOrder('DROP000001');
    await waitFor(() => (receiver.received.length > before ? true : undefined), 5_000, 'retry after drop');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(15_000 / 1000 - 1);
    const dropped = sandbox.ctx.notifier.history().find((h) => h.label.includes('DROP000001'))!;
    expect(dropped.attempts[0]!.error).toMatch(/dropped/);
    const last = receiver.parsed.at(-1)!;
    expect(last.ok && last.resource.out_trade_no).toBe('DROP000001');
  });
});
