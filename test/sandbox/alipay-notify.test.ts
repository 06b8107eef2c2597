import { describe, expect, it } from 'vitest';
import { decodeForm } from '../../src/channels/alipay/protocol/form.js';
import {
  NOTIFY_RETRY_DELAYS_MS,
  verifyNotify,
  verifyNotifyAs,
} from '../../src/channels/alipay/protocol/notify.js';
import { startNotifyReceiver, type ReceivedNotification } from '../support/sandbox.js';
import { useAlipaySandbox } from '../support/alipay-sandbox.js';

const alipay = useAlipaySandbox();
const { post } = alipay;
let seq = 0;
const outNo = () => `N${Date.now()}${++seq}`;
const ok = { validateSign: true } as const;

/** clock times of a delivery's attempts, as offsets from the first */
const attemptOffsets = (label: string) => {
  const times = alipay.sandbox.ctx.notifier
    .history()
    .find((h) => h.label.includes(label))!
    .attempts.map((a) => Date.parse(a.at));
  return times.map((t) => t - times[0]!);
};
const form = (n: ReceivedNotification) => decodeForm(n.body)!;

async function paidPrecreate(notifyUrl: string, amount = '3.00') {
  const out = outNo();
  const pre = await alipay.sdk.exec(
    'alipay.trade.precreate',
    { notifyUrl, bizContent: { out_trade_no: out, total_amount: amount, subject: '通知测试 a&b=c' } },
    ok,
  );
  expect((await post('/sandbox/alipay/scan', { qr_code: pre.qrCode, buyer_id: 'buyer-n' })).status).toBe(200);
  return out;
}

describe('Alipay trade_status_sync notifications', () => {
  it('uses the published 25 h schedule', () => {
    expect(NOTIFY_RETRY_DELAYS_MS.map((ms) => ms / 60_000)).toEqual([4, 10, 10, 60, 120, 360, 900]);
    expect(NOTIFY_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) / 3_600_000).toBeCloseTo(24.4, 1);
  });

  it('is signed as Alipay signs it (our core and alipay-sdk agree), and retried until the body is exactly `success`', async () => {
    const receiver = await startNotifyReceiver(
      (_n, i) =>
        [{ status: 500 }, { status: 200, body: 'SUCCESS' }, { status: 200, body: 'success\n' }][i] ?? {
          status: 200,
          body: 'success',
        },
    );
    try {
      const out = await paidPrecreate(receiver.url);
      const [d0, d1, d2] = NOTIFY_RETRY_DELAYS_MS as [number, number, number];
      await alipay.sandbox.advance(d0 + d1 + d2 - 1);
      expect(receiver.received).toHaveLength(3);
      await alipay.sandbox.advance(1);
      expect(receiver.received).toHaveLength(4);
      await alipay.sandbox.advance(25 * 3_600_000); // acknowledged: no further retry, however long
      expect(receiver.received).toHaveLength(4);
      const first = form(receiver.received[0]!);
      expect(receiver.received[0]!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(first).toMatchObject({
        notify_type: 'trade_status_sync',
        trade_status: 'TRADE_SUCCESS',
        out_trade_no: out,
        total_amount: '3.00',
        buyer_id: 'buyer-n',
        sign_type: 'RSA2',
        subject: '通知测试 a&b=c',
      });
      expect(JSON.parse(first.fund_bill_list!)).toEqual([{ amount: '3.00', fundChannel: 'ALIPAYACCOUNT' }]);
      const publicKey = alipay.sandbox.ctx.keys.alipay.alipay_public_key;
      for (const n of receiver.received) {
        const params = form(n);
        expect(params.notify_id).toBe(first.notify_id); // one notification, several deliveries
        expect(verifyNotify(params, publicKey)).toBe(true);
        expect(verifyNotifyAs(params, publicKey, 'keep_sign_type')).toBe(false); // trade notifications leave sign_type out
        expect(alipay.sdk.checkNotifySign(params)).toBe(true);
        expect(alipay.sdk.checkNotifySignV2(params)).toBe(true);
        expect(alipay.sdk.checkNotifySignV2({ ...params, total_amount: '30.00' })).toBe(false);
      }
      const history = alipay.sandbox.ctx.notifier.history().find((h) => h.label.includes(out))!;
      expect(history.done).toBe(true);
      expect(history.attempts.map((a) => a.acked)).toEqual([false, false, false, true]);
      // the gaps follow the schedule: 4 min, then 10 min, … after each failed attempt
      expect(attemptOffsets(out)).toEqual([0, d0, d0 + d1, d0 + d1 + d2]);
    } finally {
      await receiver.close();
    }
  });

  it('a full refund sends TRADE_CLOSED with refund_fee and out_biz_no', async () => {
    const receiver = await startNotifyReceiver(() => ({ status: 200, body: 'success' }));
    try {
      const out = await paidPrecreate(receiver.url, '5.00');
      await alipay.sandbox.settled();
      expect(receiver.received).toHaveLength(1);
      await alipay.sdk.exec(
        'alipay.trade.refund',
        { bizContent: { out_trade_no: out, refund_amount: '5.00', out_request_no: 'RF1' } },
        ok,
      );
      await alipay.sandbox.settled();
      expect(receiver.received).toHaveLength(2);
      const closed = form(receiver.received[1]!);
      expect(closed).toMatchObject({
        trade_status: 'TRADE_CLOSED',
        refund_fee: '5.00',
        out_biz_no: 'RF1',
        out_trade_no: out,
      });
      expect(closed.gmt_refund).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.000$/);
      expect(alipay.sdk.checkNotifySignV2(closed)).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('duplicate_notify delivers the first attempt twice; drop_notify loses it and the retry follows', async () => {
    const receiver = await startNotifyReceiver(() => ({ status: 200, body: 'success' }));
    try {
      await post('/sandbox/faults', {
        channel: 'alipay',
        operation: 'notify',
        mode: 'duplicate_notify',
        count: 1,
      });
      const dup = await paidPrecreate(receiver.url);
      await alipay.sandbox.settled();
      const twins = receiver.received
        .filter((n) => form(n).out_trade_no === dup)
        .map((n) => form(n).notify_id);
      expect(twins).toHaveLength(2);
      expect(new Set(twins).size).toBe(1);

      await post('/sandbox/faults', {
        channel: 'alipay',
        operation: 'notify',
        mode: 'drop_notify',
        count: 1,
      });
      const dropped = await paidPrecreate(receiver.url);
      const arrived = () => receiver.received.filter((n) => form(n).out_trade_no === dropped).length;
      await alipay.sandbox.advance(NOTIFY_RETRY_DELAYS_MS[0]! - 1);
      expect(arrived()).toBe(0);
      await alipay.sandbox.advance(1);
      expect(arrived()).toBe(1);
      const history = alipay.sandbox.ctx.notifier.history().find((h) => h.label.includes(dropped))!;
      expect(history.attempts[0]!.error).toMatch(/dropped/);
      expect(history.done).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('a password payment notifies once the buyer has confirmed, without anyone querying', async () => {
    const receiver = await startNotifyReceiver(() => ({ status: 200, body: 'success' }));
    try {
      const code = (
        (await (await post('/sandbox/paycodes', { wallet: 'alipay', scenario: 'password' })).json()) as {
          auth_code: string;
        }
      ).auth_code;
      const out = outNo();
      const res = await alipay.sdk.exec(
        'alipay.trade.pay',
        {
          notifyUrl: receiver.url,
          bizContent: {
            out_trade_no: out,
            scene: 'bar_code',
            auth_code: code,
            subject: 's',
            total_amount: '1.00',
          },
        },
        ok,
      );
      expect(res.code).toBe('10003');
      const arrived = () => receiver.received.some((n) => form(n).out_trade_no === out);
      await alipay.sandbox.advance(9_999);
      expect(arrived()).toBe(false); // the buyer is still entering the password
      await alipay.sandbox.advance(1);
      expect(arrived()).toBe(true);
      expect(form(receiver.received.find((n) => form(n).out_trade_no === out)!).trade_status).toBe(
        'TRADE_SUCCESS',
      );
    } finally {
      await receiver.close();
    }
  });
});

describe('Alipay API faults', () => {
  it('error_5xx: HTTP 503 that the SDK reports as a request error; then normal service', async () => {
    await post('/sandbox/faults', { channel: 'alipay', operation: 'query', mode: 'error_5xx', count: 1 });
    await expect(
      alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'x' } }, ok),
    ).rejects.toThrow(/status: 503/);
    expect(
      (await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'x' } }, ok)).subCode,
    ).toBe('ACQ.TRADE_NOT_EXIST');
  });

  it('system_error: a signed 20000 ACQ.SYSTEM_ERROR; the retry with the same out_trade_no works', async () => {
    await post('/sandbox/faults', {
      channel: 'alipay',
      operation: 'precreate',
      mode: 'system_error',
      count: 1,
    });
    const out = outNo();
    const biz = { bizContent: { out_trade_no: out, total_amount: '1.00', subject: 's' } };
    expect(await alipay.sdk.exec('alipay.trade.precreate', biz, ok)).toMatchObject({
      code: '20000',
      subCode: 'ACQ.SYSTEM_ERROR',
    });
    expect((await alipay.sdk.exec('alipay.trade.precreate', biz, ok)).code).toBe('10000');
  });

  it('timeout: the request is held, then the connection dies without an answer', async () => {
    const biz = () => ({
      bizContent: {
        out_trade_no: outNo(),
        scene: 'bar_code',
        auth_code: '280000000000000000',
        subject: 's',
        total_amount: '1.00',
      },
    });
    // urllib (under alipay-sdk) re-sends a POST once after a socket error: two dead answers to see the failure
    // the gateway holds each for 30 s of channel time: the clock is moved once the request is held
    const passHeld = async () => {
      await alipay.sandbox.held();
      await alipay.sandbox.advance(30_000);
    };
    await post('/sandbox/faults', { channel: 'alipay', operation: 'pay', mode: 'timeout', count: 2 });
    const failed = expect(alipay.sdk.exec('alipay.trade.pay', biz(), ok)).rejects.toThrow(
      /HttpClient Request error/,
    );
    await passHeld();
    await passHeld(); // the re-send
    await failed;
    expect(alipay.sandbox.ctx.faults.list()).toEqual([]);
    // one dead answer: the silent re-send reaches the gateway and gets the real answer
    await post('/sandbox/faults', { channel: 'alipay', operation: 'pay', mode: 'timeout', count: 1 });
    const answered = alipay.sdk.exec('alipay.trade.pay', biz(), ok);
    await passHeld();
    expect((await answered).subCode).toBe('ACQ.PAYMENT_AUTH_CODE_INVALID');
    expect(alipay.sandbox.ctx.faults.list()).toEqual([]);
  });
});
