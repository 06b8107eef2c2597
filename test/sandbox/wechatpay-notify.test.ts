import { afterEach, describe, expect, it } from 'vitest';
import { NOTIFY_RETRY_DELAYS_MS } from '../../src/channels/wechatpay/protocol/index.js';
import { registerWechatpaySandbox } from '../../src/sandbox/wechatpay/index.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { officialClient, verifyingReceiver } from './wechatpay-support.js';

/** TRANSACTION.SUCCESS delivery: ack rule, the 15-step retry schedule (on the sandbox clock), notify faults. */
describe('WeChat Pay sandbox notifications', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (open.length) await open.pop()!.close();
  });

  async function setup(ack: (i: number) => number) {
    const sandbox: TestSandbox = await startTestSandbox([registerWechatpaySandbox]);
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
    const { sandbox, receiver, payOrder } = await setup(() => 500);
    await payOrder('RETRY00001');
    const total = (24 * 60 + 4) * 60_000;
    expect(NOTIFY_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)).toBe(total);
    await sandbox.advance(total - 1);
    expect(receiver.received).toHaveLength(NOTIFY_RETRY_DELAYS_MS.length); // the last retry is 1 ms away
    await sandbox.advance(1);
    expect(sandbox.ctx.notifier.pending()).toBe(0);
    expect(receiver.received).toHaveLength(1 + NOTIFY_RETRY_DELAYS_MS.length);
    // each retry comes its delay after the attempt before it (sandbox clock)
    const times = sandbox.ctx.notifier.history()[0]!.attempts.map((a) => Date.parse(a.at));
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([...NOTIFY_RETRY_DELAYS_MS]);
    await sandbox.advance(7 * 24 * 3_600_000);
    expect(receiver.received).toHaveLength(1 + NOTIFY_RETRY_DELAYS_MS.length); // given up
    // every attempt is re-signed: fresh nonces, the same notification id
    const nonces = new Set(receiver.received.map((n) => n.headers['wechatpay-nonce']));
    expect(nonces.size).toBe(receiver.received.length);
    const envelopeIds = new Set(receiver.parsed.map((p) => (p.ok ? p.envelope.id : 'bad')));
    expect([...envelopeIds]).toHaveLength(1);
    expect(envelopeIds.has('bad')).toBe(false);
  });

  it('stops at the first 200/204, whatever the body; a 4xx answer is retried', async () => {
    const { sandbox, receiver, payOrder } = await setup((i) => (i === 0 ? 400 : 204));
    await payOrder('ACK0000001');
    await sandbox.advance(NOTIFY_RETRY_DELAYS_MS[0]!);
    expect(sandbox.ctx.notifier.pending()).toBe(0);
    await sandbox.advance(3_600_000);
    expect(receiver.received).toHaveLength(2);
    const history = sandbox.ctx.notifier.history()[0]!;
    expect(history.attempts.map((a) => a.acked)).toEqual([false, true]);
    expect(history.done).toBe(true);
  });

  it('duplicate_notify delivers the same notification twice; drop_notify loses the first attempt and the 15 s retry brings it', async () => {
    const { sandbox, receiver, payOrder } = await setup(() => 200);
    sandbox.ctx.faults.set({ channel: 'wechatpay', operation: 'notify', mode: 'duplicate_notify', count: 1 });
    await payOrder('DUP0000001');
    await sandbox.settled();
    expect(receiver.received).toHaveLength(2);
    const [a, b] = receiver.parsed;
    expect(a?.ok && b?.ok && a.envelope.id === b.envelope.id).toBe(true);

    sandbox.ctx.faults.set({ channel: 'wechatpay', operation: 'notify', mode: 'drop_notify', count: 1 });
    const before = receiver.received.length;
    await payOrder('DROP000001');
    await sandbox.advance(14_999);
    expect(receiver.received).toHaveLength(before);
    await sandbox.advance(1);
    expect(receiver.received).toHaveLength(before + 1);
    const dropped = sandbox.ctx.notifier.history().find((h) => h.label.includes('DROP000001'))!;
    expect(dropped.attempts[0]!.error).toMatch(/dropped/);
    const last = receiver.parsed.at(-1)!;
    expect(last.ok && last.resource.out_trade_no).toBe('DROP000001');
  });
});
