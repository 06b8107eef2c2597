import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelConfig, ChannelOrder } from '../../src/channels/channel.js';
import { ManualClock } from '../../src/core/clock.js';
import { createUnionpayChannel } from '../../src/channels/unionpay/adapter.js';
import { newId } from '../../src/core/ids.js';
import type { PayCodeScenario } from '../../src/sandbox/context.js';
import { generateSandboxKeys } from '../../src/sandbox/keygen.js';
import { registerUnionpaySandbox } from '../../src/sandbox/unionpay/index.js';
import { startNotifyReceiver, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { unionpayConfigFromSandbox } from '../../src/demo/sandbox-configs.js';

/** unionpay_micropay (B2C), reverse, close of a waiting payment, and channel faults → ChannelError kinds. */

let sb: TestSandbox;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
let config: ChannelConfig;
const clock = new ManualClock(Date.now()); // the adapter's and the sandbox's time
const up = createUnionpayChannel({ clock, timeoutMs: 2_000 });

beforeAll(async () => {
  sb = await startTestSandbox([registerUnionpaySandbox], { clock });
  receiver = await startNotifyReceiver();
  config = unionpayConfigFromSandbox(sb.ctx.keys.unionpay, sb.url);
});
afterEach(() => sb.ctx.faults.clear());
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

function newOrder(amount = 888): ChannelOrder {
  const now = clock.now();
  return {
    outTradeNo: newId('order', now.getTime()),
    amount,
    subject: 'tea',
    notifyUrl: receiver.url,
    expiresAt: new Date(now.getTime() + 900_000),
    createdAt: now,
  };
}
const code = (scenario: PayCodeScenario) => sb.ctx.paycodes.issue('unionpay', scenario);
/** channel time passes: the simulated customer types, UnionPay finishes what it accepted */
const settle = (ms: number) => sb.advance(ms);

/** the same reverse asked again (as the settle job does) until UnionPay gives its outcome */
async function reverseUntilSettled(order: ChannelOrder, requestedAt = clock.now()) {
  const rev = {
    outTradeNo: order.outTradeNo,
    createdAt: order.createdAt,
    notifyUrl: order.notifyUrl,
    requestedAt,
  };
  const first = await up.reverse(config, rev);
  let result = first;
  for (let i = 0; result.state === 'pending' && i < 3; i++) {
    await settle(1_000); // a cancel is accepted, then done a second later
    result = await up.reverse(config, rev);
  }
  return { first, result, rev };
}

describe('unionpay_micropay (B2C)', () => {
  it('00 is accepted, not paid: user_paying, then succeeded by query with the amount UnionPay reports', async () => {
    // fails before the fix: the synchronous 00 was read as paid, for the order's own amount
    const order = newOrder();
    const status = await up.payByCode(config, order, code('success'));
    expect(status).toMatchObject({ state: 'user_paying', code: '00' });
    expect(status.amount).toBeUndefined();
    expect(status.channelTradeNo).toMatch(/^\d{21}$/);
    await settle(999);
    expect(await up.query(config, order)).toMatchObject({ state: 'user_paying' });
    await settle(1); // accepted → done takes 1 s
    expect(await up.query(config, order)).toMatchObject({
      state: 'succeeded',
      amount: 888,
      channelTradeNo: status.channelTradeNo,
    });
  });

  it('password: accepted (00), user_paying until the customer finishes, then succeeded by query', async () => {
    const order = newOrder();
    expect(await up.payByCode(config, order, code('password'))).toMatchObject({
      state: 'user_paying',
      code: '00',
    });
    await settle(9_999);
    expect(await up.query(config, order)).toMatchObject({ state: 'user_paying' });
    await settle(1); // the customer has entered the password
    expect(await up.query(config, order)).toMatchObject({ state: 'succeeded', amount: 888 });
  });

  it('insufficient funds and an unknown code are failed payments with their codes', async () => {
    expect(await up.payByCode(config, newOrder(), code('insufficient_funds'))).toMatchObject({
      state: 'failed',
      code: '64',
    });
    expect(await up.payByCode(config, newOrder(), '6200000000000000000')).toMatchObject({
      state: 'failed',
      code: '44',
    });
    await expect(up.payByCode(config, newOrder(), '62abc')).rejects.toMatchObject({ kind: 'rejected' });
  });

  it('an answer that does not verify leaves the payment open (the code may have been charged), not failed', async () => {
    // a chain of another CA: UnionPay's sandbox signer does not chain to it
    const other = (await generateSandboxKeys()).unionpay;
    const otherRoot = {
      ...config,
      fields: { ...config.fields, root_cert: other.root_cert_pem, middle_cert: other.middle_cert_pem },
    };
    expect(await up.payByCode(otherRoot, newOrder(), code('success'))).toMatchObject({
      state: 'user_paying',
      code: 'untrusted_answer',
    });
  });

  it('a retried payment (same order, same txnTime) is answered by query, not refused', async () => {
    const order = newOrder();
    const first = await up.payByCode(config, order, code('success'));
    await settle(1_000);
    const again = await up.payByCode(config, order, code('success'));
    expect(again).toMatchObject({ state: 'succeeded', channelTradeNo: first.channelTradeNo });
  });
});

describe('reverse and close', () => {
  it('reverses a payment still waiting for the password: it can then never succeed', async () => {
    const order = newOrder();
    await up.payByCode(config, order, code('timeout'));
    const { first, result } = await reverseUntilSettled(order);
    expect(first).toMatchObject({ state: 'pending', code: '00' }); // accepted only
    expect(result).toMatchObject({ state: 'reversed', code: '00' });
    await settle(60_000); // past the moment the customer would have given up
    expect(await up.query(config, order)).toMatchObject({ state: 'failed', code: '01' });
  });

  it('a paid payment still reads paid after its cancel: the reverse is confirmed by the cancel’s own query', async () => {
    // fails before the fix: the reverse trusted the 00 of the cancel, and nothing could ask about it later
    const order = newOrder();
    await up.payByCode(config, order, code('success'));
    await settle(1_000);
    const { result, rev } = await reverseUntilSettled(order);
    expect(result).toMatchObject({ state: 'reversed' });
    expect(result.channelReverseNo).toMatch(/^\d{21}$/);
    expect(await up.query(config, order)).toMatchObject({ state: 'succeeded' }); // ACP: the original stays 00
    expect(await up.reverse(config, rev)).toEqual(result); // the same reverse, asked again: no second cancel
    // a new reverse (another txnTime) meets the cancelled payment: refused (35), the payment as UnionPay has it
    const again = await up.reverse(config, {
      ...rev,
      requestedAt: new Date(rev.requestedAt.getTime() + 2_000),
    });
    expect(again).toMatchObject({ state: 'refused', code: '35' });
  });

  it('a cancel whose answer was lost is found by its own orderId and txnTime, never sent twice', async () => {
    const order = newOrder();
    await up.payByCode(config, order, code('success'));
    await settle(1_000);
    sb.ctx.faults.set({ channel: 'unionpay', operation: 'cancel', mode: 'lost_answer', count: 1 });
    const rev = {
      outTradeNo: order.outTradeNo,
      createdAt: order.createdAt,
      notifyUrl: order.notifyUrl,
      requestedAt: clock.now(),
    };
    await expect(up.reverse(config, rev)).rejects.toMatchObject({ kind: 'timeout' });
    await settle(1_000);
    expect(await up.reverse(config, rev)).toMatchObject({ state: 'reversed', code: '00' });
  });

  it('a reverse of an order UnionPay never saw, or of a failed one, is done at once', async () => {
    expect((await reverseUntilSettled(newOrder())).first).toMatchObject({
      state: 'reversed',
      action: 'close',
    });
    const failed = newOrder();
    await up.payByCode(config, failed, code('insufficient_funds'));
    expect((await reverseUntilSettled(failed)).first).toMatchObject({ state: 'reversed', action: 'close' });
  });

  it('a reverse without a notify URL in the call or the configuration is a config error', async () => {
    const order = newOrder();
    await up.payByCode(config, order, code('timeout'));
    const rev = { outTradeNo: order.outTradeNo, createdAt: order.createdAt, requestedAt: clock.now() };
    await expect(up.reverse(config, rev)).rejects.toMatchObject({ kind: 'config' });
    const withBackUrl = { ...config, fields: { ...config.fields, back_url: receiver.url } };
    expect(await up.reverse(withBackUrl, rev)).toMatchObject({ state: 'pending' });
  });

  it('close of a B2C waiting for the password cancels it: the payment then reads failed (01)', async () => {
    const order = newOrder();
    await up.payByCode(config, order, code('timeout'));
    // the cancel is accepted, not yet confirmed: the close asks to be asked again
    await expect(up.close(config, order)).rejects.toMatchObject({ kind: 'timeout' });
    await settle(1_000); // confirmed a second later
    // the cancel stopped the password entry: the payment reads 01, failed, no money moved
    expect(await up.close(config, order)).toMatchObject({ state: 'failed', code: '01' });
  });

  it('a cancel notification names the order and reports it closed', async () => {
    const order = newOrder();
    await up.payByCode(config, order, code('timeout'));
    await reverseUntilSettled(order);
    await sb.settled(); // the cancel's notification has been delivered
    let found;
    for (const n of receiver.received) {
      const parsed = await up.parseNotification(config, { headers: {}, body: n.body });
      if (parsed.outTradeNo === order.outTradeNo) found = parsed;
    }
    expect(found).toMatchObject({
      kind: 'payment',
      outTradeNo: order.outTradeNo,
      status: { state: 'closed' },
    });
  });
});

describe('faults become ChannelError kinds', () => {
  const fault = (operation: string, mode: 'timeout' | 'error_5xx' | 'system_error') =>
    sb.ctx.faults.set({ channel: 'unionpay', operation, mode, count: 1 });

  it('system error (06) → system_error, retryable, with the code', async () => {
    fault('c2b', 'system_error');
    const error = await up.create(config, 'unionpay_qr', newOrder()).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'system_error', channelCode: '06', retryable: true });
  });

  it('HTTP 5xx → system_error; a dropped connection → timeout (outcome unknown)', async () => {
    fault('query', 'error_5xx');
    await expect(up.query(config, newOrder())).rejects.toMatchObject({
      kind: 'system_error',
      retryable: true,
    });
    fault('b2c', 'timeout');
    await expect(up.payByCode(config, newOrder(), code('success'))).rejects.toMatchObject({
      kind: 'timeout',
      retryable: true,
    });
  });

  it('nobody listening → network', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const nowhere = {
      ...config,
      fields: { ...config.fields, base_url: `http://127.0.0.1:${port}/unionpay/` },
    };
    await expect(up.query(nowhere, newOrder())).rejects.toMatchObject({ kind: 'network', retryable: true });
  });

  it('wrong certificate id (11), unknown merchant (31), untrusted answers and missing fields → config', async () => {
    const k = sb.ctx.keys.unionpay;
    const wrongCert = { ...config, fields: { ...config.fields, cert_id: '12345' } };
    await expect(up.query(wrongCert, newOrder())).rejects.toMatchObject({
      kind: 'config',
      channelCode: '11',
    });
    const otherMer = { ...config, fields: { ...config.fields, mer_id: '777290058110097' } };
    await expect(up.query(otherMer, newOrder())).rejects.toMatchObject({ kind: 'config', channelCode: '31' });
    // a chain of another CA: UnionPay's sandbox signer does not chain to it
    const other = (await generateSandboxKeys()).unionpay;
    const otherRoot = {
      ...config,
      fields: { ...config.fields, root_cert: other.root_cert_pem, middle_cert: other.middle_cert_pem },
    };
    await expect(up.query(otherRoot, newOrder())).rejects.toMatchObject({ kind: 'config', retryable: false });
    const { sign_private_key: _dropped, ...rest } = config.fields;
    await expect(up.query({ ...config, fields: rest }, newOrder())).rejects.toMatchObject({ kind: 'config' });
    await expect(
      up.query({ ...config, fields: { ...config.fields, sign_private_key: k.sign_cert_pem } }, newOrder()),
    ).rejects.toMatchObject({ kind: 'config' });
  });
});
