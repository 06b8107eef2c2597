import { expect, it } from 'vitest';
import { resolveChannelConfig } from '../../src/merchants/channel-config/store.js';
import { describeEachEngine } from '../support/db.js';
import { useOnboardingSandboxes } from '../support/onboarding.js';
import { KYC_APPLICATION } from '../support/kyc.js';

/**
 * Onboarding end to end against the real sandbox: the admin API files the application, the
 * onboarding jobs submit it with the official clients (WeChat applyment4sub, Alipay 直付通) and
 * poll until the channel decides. `quick` approves after SANDBOX_ONBOARDING_DELAY (3 s of its
 * clock, moved with the app's); `slow` takes an hour, so a rejection lands first.
 */

const APPLICATION = KYC_APPLICATION;

describeEachEngine('onboarding against the sandbox channels', (ctx) => {
  const env = useOnboardingSandboxes(ctx, { quick: 'Quick ISV', slow: 'Slow ISV' });
  const { apply, providers, runJobsFor, status } = env;

  it('gets a valid application approved at WeChat Pay and Alipay within a minute, sub-merchant ids in force', async () => {
    const { merchantId, id } = await apply(providers.quick, 'Noodle Bar', ['wechatpay', 'alipay']);
    const took = await runJobsFor(60, async () => (await status(id)).status === 'approved');
    expect(took).toBeLessThan(60);
    const final = await status(id);
    expect(final.channels.wechatpay).toMatchObject({
      status: 'approved',
      sub_merchant_id: expect.stringMatching(/^16\d{8}$/),
    });
    expect(final.channels.alipay).toMatchObject({
      status: 'approved',
      sub_merchant_id: expect.stringMatching(/^2088\d{12}$/),
    });
    expect(final.channels.wechatpay.channel_application_id).toMatch(/^\d+$/);

    // the sandbox saw the full KYC: it decrypted WeChat's sensitive fields and filed under our business code
    const filed = (await env.quick.app.inject({ url: '/sandbox/onboarding' })).json().data as Array<
      Record<string, unknown>
    >;
    const wx = filed.find(
      (a) =>
        a.channel === 'wechatpay' && a.application_id === final.channels.wechatpay.channel_application_id,
    );
    expect(wx).toMatchObject({
      state: 'approved',
      merchant_name: APPLICATION.legal_name,
      external_id: expect.stringContaining(id),
    });

    // in force: the merchant's effective configuration carries the provider's keys and its own ids
    const wxConfig = await resolveChannelConfig(ctx.database.db, env.t.ctx.box, merchantId, 'wechatpay');
    expect(wxConfig?.fields).toMatchObject({
      sp_mchid: env.quick.ctx.keys.wechatpay.sp_mchid,
      sub_mchid: final.channels.wechatpay.sub_merchant_id,
    });
    const aliConfig = await resolveChannelConfig(ctx.database.db, env.t.ctx.box, merchantId, 'alipay');
    expect(aliConfig?.fields).toMatchObject({
      app_id: env.quick.ctx.keys.alipay.app_id,
      smid: final.channels.alipay.sub_merchant_id,
    });
  });

  it('shows the channel’s reason when the sandbox rejects an application', async () => {
    const { merchantId, id } = await apply(providers.slow, 'Blurry Licence', ['wechatpay', 'alipay']);
    await runJobsFor(5, async () => {
      const c = (await status(id)).channels;
      return c.wechatpay.status === 'auditing' && c.alipay.status === 'auditing';
    });
    const auditing = (await status(id)).channels;
    expect(auditing.wechatpay.status).toBe('auditing');
    expect(auditing.alipay.status).toBe('auditing');

    for (const [channel, reason] of [
      ['wechatpay', '营业执照照片不清晰'],
      ['alipay', '经营类目与营业执照不符'],
    ] as const) {
      const res = await env.slow.app.inject({
        method: 'POST',
        url: '/sandbox/onboarding/reject',
        payload: { channel, application_id: auditing[channel].channel_application_id, reason },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ state: 'rejected', reason });
    }
    const took = await runJobsFor(120, async () => (await status(id)).status === 'rejected');
    expect(took).toBeLessThan(120);
    const final = await status(id);
    expect(final.channels.wechatpay).toMatchObject({
      status: 'rejected',
      reason: '营业执照照片不清晰',
      sub_merchant_id: null,
    });
    expect(final.channels.alipay).toMatchObject({
      status: 'rejected',
      reason: '经营类目与营业执照不符',
      sub_merchant_id: null,
    });
    const wxConfig = await resolveChannelConfig(ctx.database.db, env.t.ctx.box, merchantId, 'wechatpay');
    expect(wxConfig?.fields.sub_mchid).toBeUndefined();
  });

  it('refuses a bad reject request with the field named, an unknown id with 404, an approved one with 409', async () => {
    const reject = (payload: unknown) =>
      env.quick.app.inject({ method: 'POST', url: '/sandbox/onboarding/reject', payload: payload as object });
    const cases: Array<[unknown, string]> = [
      [{ channel: 'paypal', application_id: '1', reason: 'x' }, 'channel'],
      [{ channel: 'wechatpay', application_id: '', reason: 'x' }, 'application_id'],
      [{ channel: 'wechatpay', application_id: '1', reason: '  ' }, 'reason'],
      [{ channel: 'wechatpay', application_id: '1', reason: 'x', extra: 1 }, 'extra'],
    ];
    for (const [payload, param] of cases) {
      const res = await reject(payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.param).toBe(param);
    }
    const missing = await reject({ channel: 'alipay', application_id: 'nope', reason: 'x' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'resource_missing', param: 'application_id' });

    const approved = (
      (await env.quick.app.inject({ url: '/sandbox/onboarding' })).json().data as Array<{
        state: string;
        channel: string;
        application_id: string;
      }>
    ).find((a) => a.state === 'approved');
    expect(approved).toBeDefined();
    const late = await reject({
      channel: approved!.channel,
      application_id: approved!.application_id,
      reason: 'x',
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('state_conflict');
  });
});
