import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelConfig, ChannelOrder } from '../../src/channels/channel.js';
import { ChannelError } from '../../src/channels/channel.js';
import { createWechatpayChannel } from '../../src/channels/wechatpay/adapter.js';
import { newId } from '../../src/core/ids.js';
import { registerWechatpaySandbox } from '../../src/sandbox/wechatpay/index.js';
import { startNotifyReceiver, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { channelOrder, rejection } from '../support/channel-calls.js';
import {
  wechatpayConfigFromSandbox,
  type WechatpaySandboxCredentials,
} from '../../src/demo/sandbox-configs.js';

/** The wechatpay adapter's failure paths against the sandbox: how each trouble becomes a ChannelError. */
describe('wechatpay channel adapter against the sandbox: key modes, faults, configuration', () => {
  let sandbox: TestSandbox;
  let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
  let config: ChannelConfig;
  const channel = createWechatpayChannel({ timeoutMs: 2_000 });

  beforeAll(async () => {
    sandbox = await startTestSandbox([registerWechatpaySandbox]);
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

  const newOrder = (amount: number, extra: Partial<ChannelOrder> = {}) =>
    channelOrder(receiver.url, amount, extra);
  const post = (path: string, body: unknown) =>
    fetch(`${sandbox.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  it('verifies answers in certificate mode too (both keys configured, as during a key migration)', async () => {
    const signing = (mode: string) => post('/sandbox/wechat/signing', { mode });
    expect(config.fields.platform_cert).toContain('CERTIFICATE');
    expect((await signing('certificate')).status).toBe(200);
    try {
      const order = newOrder(15);
      expect((await channel.create(config, 'wechat_native', order)).action.type).toBe('qr_code');
      expect(await channel.query(config, order)).toMatchObject({ state: 'pending' });
      const { platform_cert: _c, platform_cert_serial: _s, ...keyOnly } = config.fields;
      expect(await rejection(channel.query({ ...config, fields: keyOnly }, order))).toMatchObject({
        kind: 'config',
        channelCode: 'EV3_RES_HEADER_PLATFORM_SERIAL',
      });
    } finally {
      await signing('public_key');
    }
  });

  it('maps faults: dropped connection and slow answer → timeout, 5xx and SYSTEM_ERROR → system_error (all retryable)', async () => {
    const order = newOrder(1);
    const expectKind = async (
      operation: string,
      mode: string,
      call: () => Promise<unknown>,
      kind: string,
      code?: string,
    ) => {
      sandbox.ctx.faults.set({ channel: 'wechatpay', operation, mode: mode as 'timeout', count: 1 });
      const error = await rejection(call());
      expect(error, `${operation}/${mode}`).toBeInstanceOf(ChannelError);
      expect(error, `${operation}/${mode}`).toMatchObject({
        kind,
        retryable: true,
        ...(code ? { channelCode: code } : {}),
      });
    };
    await expectKind('query', 'timeout', () => channel.query(config, order), 'timeout');
    await expectKind(
      'native',
      'error_5xx',
      () => channel.create(config, 'wechat_native', order),
      'system_error',
      'SYSTEM_ERROR',
    );
    await expectKind(
      'query',
      'system_error',
      () => channel.query(config, order),
      'system_error',
      'SYSTEM_ERROR',
    );
    await expectKind(
      'refund',
      'error_5xx',
      () =>
        channel.refund(config, {
          outTradeNo: order.outTradeNo,
          outRefundNo: newId('refund'),
          amount: 1,
          total: 1,
          notifyUrl: receiver.url,
          orderCreatedAt: new Date(),
        }),
      'system_error',
    );
    await expectKind('orderquery', 'timeout', () => channel.query(config, newOrder(1)), 'timeout');
    // the fault is used up: the same call now goes through
    expect(await channel.query(config, order)).toMatchObject({ state: 'not_found' });

    const impatient = createWechatpayChannel({ timeoutMs: 5 });
    sandbox.ctx.faults.set({ channel: 'wechatpay', operation: 'query', mode: 'timeout', count: 1 });
    expect(await rejection(impatient.query(config, order))).toMatchObject({
      kind: 'timeout',
      retryable: true,
    });
  });

  it('maps configuration trouble: unreachable host → network; wrong keys → config, never retryable', async () => {
    const withFields = (fields: Record<string, string>) => ({
      ...config,
      fields: { ...config.fields, ...fields },
    });
    const order = newOrder(1);
    expect(
      await rejection(channel.query(withFields({ base_url: 'http://127.0.0.1:1/wechatpay/' }), order)),
    ).toMatchObject({
      kind: 'network',
      retryable: true,
    });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherPrivate = other.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const otherPublic = other.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(
      await rejection(channel.query(withFields({ merchant_private_key: otherPrivate }), order)),
    ).toMatchObject({
      kind: 'config',
      channelCode: 'SIGN_ERROR',
      retryable: false,
    });
    const { platform_cert: _c, platform_cert_serial: _s, ...pubOnly } = config.fields;
    // a 2xx answer must verify (a 404 is not checked, as the plugin does): place an order
    const wrongPlatform = { ...config, fields: { ...pubOnly, platform_public_key: otherPublic } };
    expect(await rejection(channel.create(wrongPlatform, 'wechat_native', order))).toMatchObject({
      kind: 'config',
      channelCode: 'EV3_RES_HEADER_SIGNATURE_DIGEST',
    });
    expect(
      await rejection(
        channel.payByCode(withFields({ apiv2_key: 'K'.repeat(32) }), order, '134567890123456789'),
      ),
    ).toMatchObject({
      kind: 'config',
    });
    expect(await rejection(channel.query(withFields({ sp_mchid: '' }), order))).toMatchObject({
      kind: 'config',
    });
  });
});
