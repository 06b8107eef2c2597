import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOnboardingChannels } from '../../src/channels/index.js';
import { resolveChannelConfig } from '../../src/merchants/channel-config/store.js';
import { writeDemoChannelConfigs } from '../../src/demo/channels.js';
import { onboardingJobHandlers } from '../../src/merchants/onboarding/jobs.js';
import { runDue } from '../../src/platform/jobs/index.js';
import { SANDBOX_PLUGINS } from '../../src/sandbox/plugins.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { KYC_APPLICATION } from '../support/kyc.js';
import { adminClient } from '../support/admin.js';

/**
 * Onboarding end to end against the real sandbox: the admin API files the application, the
 * onboarding jobs submit it with the official clients (WeChat applyment4sub, Alipay 直付通) and
 * poll until the channel decides. `quick` approves after SANDBOX_ONBOARDING_DELAY (3 s of its
 * clock, moved with the app's); `slow` takes an hour, so a rejection lands first.
 */

const APPLICATION = KYC_APPLICATION;

describeEachEngine('onboarding against the sandbox channels', (ctx) => {
  let t: TestApp;
  let quick: TestSandbox;
  let slow: TestSandbox;
  let handlers: ReturnType<typeof onboardingJobHandlers>;
  const providers: Record<'quick' | 'slow', string> = { quick: '', slow: '' };

  const admin = adminClient(() => t.app);

  /** Moves the test clock second by second running due jobs, until `done` or `seconds` pass; returns the seconds taken. */
  const runJobsFor = async (seconds: number, done: () => Promise<boolean>) => {
    for (let s = 0; s < seconds; s++) {
      await runDue(ctx.database.db, handlers, { workerId: 'test', limit: 50, leaseMs: 60_000 }, t.clock);
      if (await done()) return s;
      t.clock.advance(1_000);
      for (const sandbox of [quick, slow]) await sandbox.advance(1_000); // the channels' time moves alike
    }
    return seconds;
  };

  const status = async (id: string) => (await admin('GET', `/onboarding/${id}`)).body;

  /** a service provider holding the sandbox's channel credentials, and a merchant under it without sub-merchant ids */
  const providerFor = async (sandbox: TestSandbox, name: string) => {
    const sp = (await admin('POST', '/service-providers', { name })).body.id as string;
    const demo = (await admin('POST', '/merchants', { name: `${name} demo`, service_provider_id: sp })).body
      .id;
    await writeDemoChannelConfigs(
      ctx.database.db,
      t.ctx.box,
      { serviceProviderId: sp, merchantId: demo },
      { url: sandbox.url, keys: sandbox.ctx.keys },
      t.clock,
    );
    return sp;
  };

  const apply = async (provider: string, name: string, channels: string[]) => {
    const merchantId = (await admin('POST', '/merchants', { name, service_provider_id: provider })).body
      .id as string;
    const created = await admin('POST', '/onboarding', { ...APPLICATION, merchant_id: merchantId });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const submitted = await admin('POST', `/onboarding/${created.body.id}/submit`, { channels });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    return { merchantId, id: created.body.id as string };
  };

  beforeAll(async () => {
    t = await createTestApp(ctx.database);
    quick = await startTestSandbox(SANDBOX_PLUGINS);
    const before = process.env.SANDBOX_ONBOARDING_DELAY;
    process.env.SANDBOX_ONBOARDING_DELAY = '3600000';
    try {
      slow = await startTestSandbox(SANDBOX_PLUGINS);
    } finally {
      if (before === undefined) delete process.env.SANDBOX_ONBOARDING_DELAY;
      else process.env.SANDBOX_ONBOARDING_DELAY = before;
    }
    handlers = onboardingJobHandlers(
      { db: ctx.database.db, box: t.ctx.box, clock: t.clock },
      createOnboardingChannels(t.clock, { timeoutMs: 5_000 }),
    );
    providers.quick = await providerFor(quick, 'Quick ISV');
    providers.slow = await providerFor(slow, 'Slow ISV');
  });
  afterAll(async () => {
    await quick?.close();
    await slow?.close();
    await t?.close();
  });

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
    const filed = (await quick.app.inject({ url: '/sandbox/onboarding' })).json().data as Array<
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
    const wxConfig = await resolveChannelConfig(ctx.database.db, t.ctx.box, merchantId, 'wechatpay');
    expect(wxConfig?.fields).toMatchObject({
      sp_mchid: quick.ctx.keys.wechatpay.sp_mchid,
      sub_mchid: final.channels.wechatpay.sub_merchant_id,
    });
    const aliConfig = await resolveChannelConfig(ctx.database.db, t.ctx.box, merchantId, 'alipay');
    expect(aliConfig?.fields).toMatchObject({
      app_id: quick.ctx.keys.alipay.app_id,
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
      const res = await slow.app.inject({
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
    const wxConfig = await resolveChannelConfig(ctx.database.db, t.ctx.box, merchantId, 'wechatpay');
    expect(wxConfig?.fields.sub_mchid).toBeUndefined();
  });

  it('refuses a bad reject request with the field named, an unknown id with 404, an approved one with 409', async () => {
    const reject = (payload: unknown) =>
      quick.app.inject({ method: 'POST', url: '/sandbox/onboarding/reject', payload: payload as object });
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
      (await quick.app.inject({ url: '/sandbox/onboarding' })).json().data as Array<{
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
