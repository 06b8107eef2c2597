import { AlipaySdk } from 'alipay-sdk';
import { describe, expect, it } from 'vitest';
import { encodeForm } from '../../src/channels/alipay/protocol/form.js';
import { buildNotify } from '../../src/channels/alipay/protocol/notify.js';
import { unsignedGatewayRefusal } from '../../src/channels/alipay/protocol/response.js';
import { channel, env, order, rejection, useAlipaySandbox } from './alipay-adapter-support.js';

// Issue 9 point 7 (Alipay): notifications must be about the configuration the adapter is given
// (app_id AND the merchant's auth_app_id), and Alipay's unsigned error_response refusals are
// definite answers, not "unusable answer" system errors to retry.
useAlipaySandbox();

function notification(over: Record<string, string> = {}): string {
  const keys = env.sandbox.ctx.keys.alipay;
  const params = {
    notify_time: '2026-12-04 10:00:00',
    notify_type: 'trade_status_sync',
    notify_id: '2026120400222100000000000000000001',
    charset: 'utf-8',
    version: '1.0',
    app_id: keys.app_id,
    auth_app_id: env.config.fields.auth_app_id!,
    seller_id: keys.seller_id,
    trade_no: '2026120422001400000000000001',
    out_trade_no: 'ord_identity1',
    trade_status: 'TRADE_SUCCESS',
    total_amount: '1.00',
    gmt_payment: '2026-12-04 10:00:00',
    ...over,
  };
  return encodeForm(buildNotify(params, keys.alipay_private_key));
}

describe('alipay notifications: the identity must be the configuration’s', () => {
  const refuse = async (body: string, fields: Record<string, string | undefined> = {}) => {
    const config = { channel: 'alipay' as const, fields: { ...env.config.fields } };
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) delete config.fields[k];
      else config.fields[k] = v;
    }
    return rejection(channel.parseNotification(config, { headers: {}, body }));
  };

  it('the sandbox configuration carries the merchant’s auth_app_id and its notifications pass', async () => {
    expect(env.config.fields.auth_app_id).toMatch(/^2021\d{12}$/);
    expect(env.config.fields.auth_app_id).not.toBe(env.config.fields.app_id);
    expect(await channel.parseNotification(env.config, { headers: {}, body: notification() })).toMatchObject({
      kind: 'payment',
      outTradeNo: 'ord_identity1',
      status: { state: 'succeeded', amount: 100 },
    });
  });

  it('another merchant of the same ISV app (another auth_app_id), or none, is refused', async () => {
    const other = await refuse(notification({ auth_app_id: '2021000000000777' }));
    expect(other).toMatchObject({
      kind: 'invalid_notification',
      message: expect.stringMatching(/auth_app_id/),
    });
    const { auth_app_id: _a, ...noAuthApp } = Object.fromEntries(new URLSearchParams(notification()));
    const keys = env.sandbox.ctx.keys.alipay;
    const { sign: _s, ...unsigned } = noAuthApp;
    const without = encodeForm(buildNotify(unsigned, keys.alipay_private_key));
    expect((await refuse(without)).kind).toBe('invalid_notification');
    expect((await refuse(notification({ app_id: '2021000000000888' }))).message).toMatch(/app_id/);
  });

  it('an ISV configuration that names neither auth_app_id nor seller_id cannot tell its merchants apart', async () => {
    const error = await refuse(notification(), { auth_app_id: undefined, seller_id: undefined });
    expect(error).toMatchObject({ kind: 'invalid_notification', message: expect.stringMatching(/ISV/) });
    // naming the seller is enough when auth_app_id is not configured
    await expect(
      channel.parseNotification(
        { channel: 'alipay', fields: { ...env.config.fields, auth_app_id: '' } },
        { headers: {}, body: notification() },
      ),
    ).resolves.toMatchObject({ kind: 'payment' });
  });
});

describe('alipay unsigned error_response', () => {
  it('the sandbox refuses an unknown app_id unsigned, as Alipay does; the official SDK cannot read it', async () => {
    const keys = env.sandbox.ctx.keys.alipay;
    const sdk = new AlipaySdk({
      appId: '2021000000000999',
      privateKey: keys.app_private_key,
      keyType: 'PKCS8',
      alipayPublicKey: keys.alipay_public_key,
      gateway: `${env.sandbox.url}/alipay/gateway.do`,
    });
    // alipay-sdk 4.14 verifies any answer when asked to, and an absent sign makes it throw
    await expect(
      sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'x' } }, { validateSign: true }),
    ).rejects.toThrow();
    const answer = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'x' } });
    expect(answer).toMatchObject({ code: '40002', subCode: 'isv.invalid-app-id' });
  });

  it('the adapter reads it as a definite configuration refusal, not a retryable system error', async () => {
    const wrongApp = { ...env.config, fields: { ...env.config.fields, app_id: '2021000000000999' } };
    const error = await rejection(channel.query(wrongApp, order()));
    expect(error).toMatchObject({ kind: 'config', channelCode: 'isv.invalid-app-id', retryable: false });
  });

  it('only a bare error_response with a gateway code and sub_code is accepted unsigned', () => {
    const refusal = {
      code: '40002',
      msg: 'Invalid Arguments',
      sub_code: 'isv.invalid-app-id',
      sub_msg: '无效',
    };
    expect(unsignedGatewayRefusal(JSON.stringify({ error_response: refusal }))).toEqual(refusal);
    // a business answer, a success, a signed body, a code without sub_code: never unsigned
    const business = { ...refusal, code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' };
    expect(unsignedGatewayRefusal(JSON.stringify({ error_response: business }))).toBeUndefined();
    expect(unsignedGatewayRefusal(JSON.stringify({ alipay_trade_query_response: refusal }))).toBeUndefined();
    expect(
      unsignedGatewayRefusal(JSON.stringify({ error_response: { code: '10000', msg: 'Success' } })),
    ).toBeUndefined();
    expect(unsignedGatewayRefusal(JSON.stringify({ error_response: refusal, sign: 'x' }))).toBeUndefined();
    const { sub_code: _c, ...noSub } = refusal;
    expect(unsignedGatewayRefusal(JSON.stringify({ error_response: noSub }))).toBeUndefined();
    expect(unsignedGatewayRefusal('not json')).toBeUndefined();
  });
});
