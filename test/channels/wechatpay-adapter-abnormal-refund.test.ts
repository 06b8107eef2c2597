import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelConfig, ChannelOrder, RefundRequest, RefundStatus } from '../../src/channels/channel.js';
import { WechatClient } from '../../src/channels/wechatpay/client.js';
import { createWechatpayChannel } from '../../src/channels/wechatpay/adapter.js';
import { parseWechatpayConfig } from '../../src/channels/wechatpay/config.js';
import { newId } from '../../src/core/ids.js';
import { ManualClock } from '../../src/core/clock.js';
import { registerWechatpaySandbox } from '../../src/sandbox/wechatpay/index.js';
import { startNotifyReceiver, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { rejection } from '../support/channel-calls.js';
import {
  wechatpayConfigFromSandbox,
  type WechatpaySandboxCredentials,
} from '../../src/demo/sandbox-configs.js';

/**
 * WeChat refund ABNORMAL (退款异常) against the sandbox: the `abnormal` fault ends a refund ABNORMAL
 * (query and REFUND.ABNORMAL notification read `abnormal`, never `failed`), and 发起异常退款 sends it
 * to a bank card with encrypted fields the sandbox decrypts, PROCESSING again, then SUCCESS.
 */
describe('wechatpay abnormal refunds against the sandbox', () => {
  let sandbox: TestSandbox;
  let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
  let config: ChannelConfig;
  const clock = new ManualClock(Date.now()); // the adapter's and the sandbox's time
  const channel = createWechatpayChannel({ clock, timeoutMs: 2_000 });
  const apply = channel.applyAbnormalRefund!;

  beforeAll(async () => {
    sandbox = await startTestSandbox([registerWechatpaySandbox], { clock });
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

  const post = (path: string, body: unknown) =>
    fetch(`${sandbox.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  /** a refund is PROCESSING for 5 s of channel time, then ends (and is notified) */
  const settledRefund = async (request: RefundRequest) => {
    expect((await channel.refundQuery(config, request)).state).toBe('pending');
    await sandbox.advance(5_000);
    const s = await channel.refundQuery(config, request);
    expect(s.state).not.toBe('pending');
    return s;
  };

  /** a paid Native order and an accepted refund of part of it, ending ABNORMAL through the fault */
  async function abnormalRefund(): Promise<{ request: RefundRequest; status: RefundStatus }> {
    const order: ChannelOrder = {
      outTradeNo: newId('order'),
      amount: 1000,
      subject: '异常退款',
      notifyUrl: receiver.url,
      expiresAt: new Date(Date.now() + 900_000),
      createdAt: new Date(),
    };
    const { action } = await channel.create(config, 'wechat_native', order);
    if (action.type !== 'qr_code') throw new Error('expected a QR code');
    expect((await post('/sandbox/wechat/scan', { code_url: action.code_url, openid: 'oAbn' })).status).toBe(
      200,
    );
    const fault = await post('/sandbox/faults', {
      channel: 'wechatpay',
      operation: 'refund',
      mode: 'abnormal',
    });
    expect(fault.status).toBe(200);
    const request: RefundRequest = {
      outTradeNo: order.outTradeNo,
      outRefundNo: newId('refund'),
      amount: 400,
      total: 1000,
      notifyUrl: receiver.url,
      orderCreatedAt: order.createdAt,
    };
    expect(await channel.refund(config, request)).toMatchObject({ state: 'pending' });
    const status = await settledRefund(request);
    // the notification says the same as the query (other refunds may settle in the same 5 s)
    const parsed = (
      await Promise.all(receiver.received.map((n) => channel.parseNotification(config, n)))
    ).find((p) => p.kind === 'refund' && p.outRefundNo === request.outRefundNo);
    expect(parsed).toEqual({
      kind: 'refund',
      outTradeNo: order.outTradeNo,
      outRefundNo: request.outRefundNo,
      status,
    });
    return { request, status };
  }

  it('an ABNORMAL refund reads abnormal (query and REFUND.ABNORMAL), with its refund_id', async () => {
    const { status } = await abnormalRefund();
    expect(status).toMatchObject({ state: 'abnormal', code: 'ABNORMAL' });
    expect(status.channelRefundNo).toMatch(/^5\d{28}$/);
  });

  it('apply-abnormal-refund to the customer’s card: encrypted fields decrypted, PROCESSING, then SUCCESS', async () => {
    const { request, status } = await abnormalRefund();
    const target = {
      type: 'USER_BANK_CARD' as const,
      bankType: 'CMB_DEBIT',
      bankAccount: '6214830000001234',
      realName: '张三',
    };
    const applied = await apply(config, { ...request, channelRefundNo: status.channelRefundNo! }, target);
    expect(applied).toEqual({ state: 'pending', channelRefundNo: status.channelRefundNo });
    const ended = await settledRefund(request);
    expect(ended).toEqual({ state: 'succeeded', channelRefundNo: status.channelRefundNo });
    // the sandbox decrypted the card: the refund names the bank and the card's last digits
    const c = new WechatClient(parseWechatpayConfig(config), 2_000);
    const { data } = await c.v3('get', `v3/refund/domestic/refunds/${request.outRefundNo}`, undefined, {
      params: { sub_mchid: config.fields.sub_mchid },
    });
    expect(data).toMatchObject({ status: 'SUCCESS', user_received_account: '招商银行借记卡1234' });
    // a refund that is no longer ABNORMAL cannot be redirected again
    expect(
      await rejection(apply(config, { ...request, channelRefundNo: status.channelRefundNo! }, target)),
    ).toMatchObject({ kind: 'rejected', channelCode: 'INVALID_REQUEST' });
  });

  it('to the merchant’s bank account needs no card; ABNORMAL again under the fault', async () => {
    const { request, status } = await abnormalRefund();
    await post('/sandbox/faults', {
      channel: 'wechatpay',
      operation: 'apply_abnormal_refund',
      mode: 'abnormal',
    });
    const r = { ...request, channelRefundNo: status.channelRefundNo! };
    expect(await apply(config, r, { type: 'MERCHANT_BANK_CARD' })).toMatchObject({ state: 'pending' });
    const ended = await settledRefund(request);
    expect(ended).toMatchObject({ state: 'abnormal' });
    expect(await apply(config, r, { type: 'MERCHANT_BANK_CARD' })).toMatchObject({ state: 'pending' });
  });

  it('the sandbox refuses what WeChat refuses: unsigned, wrong key, unreadable card, unsupported bank, wrong refund_id', async () => {
    const { request, status } = await abnormalRefund();
    const r = { ...request, channelRefundNo: status.channelRefundNo! };
    const card = {
      type: 'USER_BANK_CARD' as const,
      bankType: 'CMB_DEBIT',
      bankAccount: '6214830000001234',
      realName: '张三',
    };
    const c = new WechatClient(parseWechatpayConfig(config), 2_000);
    const path = `v3/refund/domestic/refunds/${r.channelRefundNo}/apply-abnormal-refund`;
    const base = {
      sub_mchid: config.fields.sub_mchid,
      out_refund_no: r.outRefundNo,
      type: 'USER_BANK_CARD',
      bank_type: 'CMB_DEBIT',
    };
    // not encrypted (plaintext in the encrypted fields)
    const plain = await rejection(
      c.v3(
        'post',
        path,
        { ...base, bank_account: '6214830000001234', real_name: '张三' },
        {
          headers: { 'Wechatpay-Serial': config.fields.platform_serial },
        },
      ),
    );
    expect(plain).toMatchObject({ kind: 'rejected', channelCode: 'PARAM_ERROR' });
    expect(plain?.message).toMatch(/bank_account/);
    // no Wechatpay-Serial naming the key
    const noSerial = await rejection(c.v3('post', path, { ...base, bank_account: 'x', real_name: 'y' }));
    expect(noSerial).toMatchObject({ kind: 'rejected', channelCode: 'PARAM_ERROR' });
    expect(noSerial?.message).toMatch(/Wechatpay-Serial/);
    // a credit card / unlisted bank
    expect(await rejection(apply(config, r, { ...card, bankType: 'CMB_CREDIT' }))).toMatchObject({
      channelCode: 'PARAM_ERROR',
    });
    expect(
      await rejection(apply(config, { ...r, channelRefundNo: '50000000000000000000000000001' }, card)),
    ).toMatchObject({
      channelCode: 'RESOURCE_NOT_EXISTS',
    });
    // an unsigned request never gets in
    const unsigned = await fetch(`${sandbox.url}/wechatpay/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...base, type: 'MERCHANT_BANK_CARD' }),
    });
    expect(unsigned.status).toBe(401);
    // the refund is still ABNORMAL after all that, and the right request is taken
    expect(await channel.refundQuery(config, request)).toMatchObject({ state: 'abnormal' });
    expect(await apply(config, r, card)).toMatchObject({ state: 'pending' });
  });
});
