import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolveChannelConfig } from '../../src/merchants/channel-config/store.js';
import {
  OnboardingRefused,
  type ChannelOnboarding,
  type ChannelOnboardingStatus,
  type OnboardingSubmission,
} from '../../src/merchants/onboarding/channel.js';
import { onboardingJobHandlers } from '../../src/merchants/onboarding/jobs.js';
import { runDue } from '../../src/platform/jobs/index.js';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { signedInject } from '../support/merchant-api.js';
import { KYC_APPLICATION } from '../support/kyc.js';

/**
 * A test double for a channel's onboarding API (not for our code): approves an application
 * `delayMs` after it was submitted, unless rejected first; remembers business codes so a repeated
 * submit is the same application, as WeChat's applyment4sub does.
 */
class FakeChannel implements ChannelOnboarding {
  readonly apps = new Map<
    string,
    { at: number; business_code: string; kyc: OnboardingSubmission['kyc']; rejected?: string }
  >();
  submits = 0;
  failNextSubmits = 0;
  refuseWith: string | undefined;
  constructor(
    private readonly name: string,
    private readonly now: () => number,
    private readonly delayMs = 3_000,
    private readonly extra: Record<string, string> = {},
  ) {}
  async submit(application: OnboardingSubmission) {
    this.submits++;
    if (this.failNextSubmits > 0) {
      this.failNextSubmits--;
      throw new Error('connect ECONNREFUSED');
    }
    if (this.refuseWith) throw new OnboardingRefused(this.refuseWith);
    for (const [id, app] of this.apps)
      if (app.business_code === application.business_code) return { channel_application_id: id };
    const id = `${this.name}-${this.apps.size + 1}`;
    this.apps.set(id, { at: this.now(), business_code: application.business_code, kyc: application.kyc });
    return { channel_application_id: id };
  }
  async status(id: string): Promise<ChannelOnboardingStatus> {
    const app = this.apps.get(id);
    if (!app) throw new Error(`unknown application ${id}`);
    if (app.rejected) return { state: 'rejected', reason: app.rejected };
    if (this.now() - app.at < this.delayMs) return { state: 'auditing' };
    const n = [...this.apps.keys()].indexOf(id) + 1;
    const sub =
      this.name === 'wechatpay'
        ? `16000000${String(n).padStart(2, '0')}`
        : `20880000000000${String(n).padStart(2, '0')}`;
    return { state: 'approved', sub_merchant_id: sub, fields: this.extra };
  }
  reject(id: string, reason: string) {
    this.apps.get(id)!.rejected = reason;
  }
}

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
const APPLICATION = KYC_APPLICATION;

describeEachEngine('onboarding through the admin API', (ctx) => {
  let t: TestApp;
  let wechat: FakeChannel;
  let alipay: FakeChannel;
  let handlers: ReturnType<typeof onboardingJobHandlers>;
  let spId: string;

  const admin = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
    const res = await t.app.inject({
      method,
      url: `/admin/v1${url}`,
      ...(payload !== undefined ? { payload: payload as object } : {}),
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.statusCode, res.body).toBeLessThan(500);
    return { status: res.statusCode, body: res.json() };
  };

  /** Moves the clock second by second, running due jobs, until `done` or `seconds` pass. */
  const runJobsFor = async (seconds: number, done: () => Promise<boolean> = async () => false) => {
    for (let s = 0; s < seconds; s++) {
      await runDue(ctx.database.db, handlers, { workerId: 'test', limit: 50, leaseMs: 60_000 }, t.clock);
      if (await done()) return s;
      t.clock.advance(1_000);
    }
    return seconds;
  };

  const newMerchant = async (name: string) =>
    (await admin('POST', '/merchants', { name, service_provider_id: spId })).body.id as string;

  beforeAll(async () => {
    t = await createTestApp(ctx.database);
    wechat = new FakeChannel('wechatpay', () => t.clock.nowMs());
    alipay = new FakeChannel('alipay', () => t.clock.nowMs(), 3_000, { app_auth_token: '202611BBtoken0001' });
    handlers = onboardingJobHandlers(
      { db: ctx.database.db, box: t.ctx.box, clock: t.clock },
      { wechatpay: wechat, alipay },
    );
    const sp = await admin('POST', '/service-providers', { name: 'Fujian ISV' });
    spId = sp.body.id;
    // the service provider's own channel credentials, which its merchants inherit
    expect(
      (
        await admin('PUT', `/service-providers/${spId}/channels/wechatpay`, {
          fields: {
            sp_mchid: '1900000001',
            sp_appid: 'wx0123456789abcdef',
            merchant_private_key: PEM,
            apiv3_key: 'k'.repeat(32),
          },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await admin('PUT', `/service-providers/${spId}/channels/alipay`, {
          fields: { app_id: '2021000000000001', app_private_key: PEM },
        })
      ).status,
    ).toBe(200);
  });
  afterAll(() => t.close());

  it('refuses a wrong licence check character or ID check digit with 422 naming the field', async () => {
    const merchantId = await newMerchant('Check Digits');
    const badLicence = await admin('POST', '/onboarding', {
      ...APPLICATION,
      merchant_id: merchantId,
      license_no: '91350100M000100Y44',
    });
    expect(badLicence.status).toBe(422);
    expect(badLicence.body.error).toMatchObject({ code: 'validation_failed', param: 'license_no' });
    const badId = await admin('POST', '/onboarding', {
      ...APPLICATION,
      merchant_id: merchantId,
      legal_person_id_no: '110105194912310021',
    });
    expect(badId.status).toBe(422);
    expect(badId.body.error).toMatchObject({ code: 'validation_failed', param: 'legal_person_id_no' });
    const badCard = await admin('POST', '/onboarding', {
      ...APPLICATION,
      merchant_id: merchantId,
      settlement_account: {
        ...APPLICATION.settlement_account,
        account_type: 'personal',
        account_name: '张三',
        account_no: '4111111111111112',
      },
    });
    expect(badCard.body.error).toMatchObject({
      code: 'validation_failed',
      param: 'settlement_account.account_no',
    });
    const list = await admin('GET', `/onboarding?merchant_id=${merchantId}`);
    expect(list.body.data).toEqual([]);
  });

  it('creates a merchant, store and app, then gets approved at WeChat Pay and Alipay within a minute', async () => {
    const merchantId = await newMerchant('Noodle Bar');
    expect((await admin('POST', `/merchants/${merchantId}/stores`, { name: 'Main St' })).status).toBe(201);
    const app = await admin('POST', `/merchants/${merchantId}/apps`, { name: 'POS' });
    expect(app.status).toBe(201);

    const created = await admin('POST', '/onboarding', { ...APPLICATION, merchant_id: merchantId });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      object: 'onboarding_application',
      status: 'draft',
      license_no: APPLICATION.license_no,
      channels: {},
    });
    // sensitive numbers are masked in the API and sealed at rest
    expect(created.body.legal_person_id_no).toBe('1101**********002X');
    expect(created.body.settlement_account.account_no).toBe('0200***********2345');
    const stored = await ctx.database.db
      .selectFrom('onboarding_applications')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain('11010519491231002X');

    const submitted = await admin('POST', `/onboarding/${created.body.id}/submit`, {
      channels: ['wechatpay', 'alipay'],
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('in_progress');
    expect(submitted.body.channels.wechatpay.status).toBe('submitted');
    expect(submitted.body.channels.alipay.status).toBe('submitted');

    const approved = async () =>
      (await admin('GET', `/onboarding/${created.body.id}`)).body.status === 'approved';
    const took = await runJobsFor(60, approved);
    expect(took).toBeLessThan(60);
    const final = (await admin('GET', `/onboarding/${created.body.id}`)).body;
    expect(final.channels.wechatpay).toMatchObject({
      status: 'approved',
      sub_merchant_id: expect.stringMatching(/^16/),
    });
    expect(final.channels.alipay).toMatchObject({
      status: 'approved',
      sub_merchant_id: expect.stringMatching(/^2088/),
    });
    // the channel received the full KYC fields, not the masked ones
    expect([...wechat.apps.values()].some((a) => a.kyc.legal_person_id_no === '11010519491231002X')).toBe(
      true,
    );

    // the sub-merchant ids are in force: the merchant's effective configuration carries them
    const wx = await resolveChannelConfig(ctx.database.db, t.ctx.box, merchantId, 'wechatpay');
    expect(wx?.fields).toMatchObject({
      sp_mchid: '1900000001',
      sub_mchid: final.channels.wechatpay.sub_merchant_id,
      apiv3_key: 'k'.repeat(32),
    });
    const ali = await resolveChannelConfig(ctx.database.db, t.ctx.box, merchantId, 'alipay');
    expect(ali?.fields).toMatchObject({
      smid: final.channels.alipay.sub_merchant_id,
      app_auth_token: '202611BBtoken0001',
    });
    const view = (await admin('GET', `/merchants/${merchantId}/channels/alipay`)).body;
    expect(view.fields).toEqual({ smid: final.channels.alipay.sub_merchant_id });
    expect(view.has_secret).toEqual({ app_auth_token: true });
    expect(JSON.stringify(view)).not.toContain('202611BBtoken0001');

    // audit and events tell the story
    const audit = (await admin('GET', `/audit-log?object_id=${created.body.id}`)).body.data.map(
      (e: { action: string }) => e.action,
    );
    expect(audit).toEqual([
      'onboarding.approved',
      'onboarding.approved',
      'onboarding.submit',
      'onboarding.create',
    ]);
    const events = await ctx.database.db
      .selectFrom('outbox')
      .select(['topic', 'payload'])
      .where('topic', '=', 'onboarding.approved')
      .execute();
    expect(
      events.filter((e) => (e.payload as { merchant_id: string }).merchant_id === merchantId),
    ).toHaveLength(2);

    // an approved channel cannot be submitted again
    const again = await admin('POST', `/onboarding/${created.body.id}/submit`, { channels: ['wechatpay'] });
    expect(again.status).toBe(409);
    expect(again.body.error.param).toBe('channels');

    // the app created through the admin API signs merchant requests
    const res = await signedInject(t.app, app.body, t.clock, 'GET', '/v1/ping');
    expect(res.statusCode).toBe(200);
  });

  it('shows the channel’s reason when it rejects, and allows a resubmission', async () => {
    const merchantId = await newMerchant('Rejected Shop');
    const created = (await admin('POST', '/onboarding', { ...APPLICATION, merchant_id: merchantId })).body;
    await admin('POST', `/onboarding/${created.id}/submit`, { channels: ['wechatpay'] });
    await runJobsFor(1);
    const auditing = (await admin('GET', `/onboarding/${created.id}`)).body.channels.wechatpay;
    expect(auditing.status).toBe('auditing');
    wechat.reject(auditing.channel_application_id, '营业执照照片不清晰');
    await runJobsFor(
      30,
      async () => (await admin('GET', `/onboarding/${created.id}`)).body.status === 'rejected',
    );
    const rejected = (await admin('GET', `/onboarding/${created.id}`)).body;
    expect(rejected.channels.wechatpay).toMatchObject({
      status: 'rejected',
      reason: '营业执照照片不清晰',
      sub_merchant_id: null,
    });
    expect(
      await resolveChannelConfig(ctx.database.db, t.ctx.box, merchantId, 'wechatpay'),
    ).not.toHaveProperty('fields.sub_mchid');

    const resubmitted = await admin('POST', `/onboarding/${created.id}/submit`, { channels: ['wechatpay'] });
    expect(resubmitted.body.channels.wechatpay).toMatchObject({
      status: 'submitted',
      submission_no: 2,
      reason: null,
    });
    await runJobsFor(
      30,
      async () => (await admin('GET', `/onboarding/${created.id}`)).body.status === 'approved',
    );
    expect((await admin('GET', `/onboarding/${created.id}`)).body.channels.wechatpay.status).toBe('approved');
  });

  it('retries a submission the channel could not take, and rejects one it refuses', async () => {
    const merchantId = await newMerchant('Flaky');
    const created = (await admin('POST', '/onboarding', { ...APPLICATION, merchant_id: merchantId })).body;
    wechat.failNextSubmits = 2;
    const before = wechat.submits;
    await admin('POST', `/onboarding/${created.id}/submit`, { channels: ['wechatpay'] });
    await runJobsFor(
      120,
      async () => (await admin('GET', `/onboarding/${created.id}`)).body.status === 'approved',
    );
    expect(wechat.submits - before).toBe(3);
    expect((await admin('GET', `/onboarding/${created.id}`)).body.status).toBe('approved');

    const other = (
      await admin('POST', '/onboarding', { ...APPLICATION, merchant_id: await newMerchant('Refused') })
    ).body;
    alipay.refuseWith = '经营类目与营业执照不符';
    await admin('POST', `/onboarding/${other.id}/submit`, { channels: ['alipay'] });
    await runJobsFor(2);
    alipay.refuseWith = undefined;
    expect((await admin('GET', `/onboarding/${other.id}`)).body.channels.alipay).toMatchObject({
      status: 'rejected',
      reason: '经营类目与营业执照不符',
    });
  });

  it('submits many applications in a batch, each on its own', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await admin('POST', '/onboarding', { ...APPLICATION, merchant_id: await newMerchant(`Batch ${i}`) }))
          .body.id,
      );
    }
    await admin('POST', `/onboarding/${ids[0]}/submit`, { channels: ['wechatpay'] }); // already in review
    const missing = 'apl_0000000000zzzzzzzzzzzzzzzz';
    const batch = await admin('POST', '/onboarding/submit-batch', {
      application_ids: [...ids, missing],
      channels: ['wechatpay', 'alipay'],
    });
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({ submitted: 2, failed: 2 });
    expect(batch.body.results[0]).toMatchObject({
      application_id: ids[0],
      submitted: false,
      error: { code: 'state_conflict' },
    });
    expect(batch.body.results[3]).toMatchObject({
      application_id: missing,
      submitted: false,
      error: { code: 'resource_missing' },
    });
    // the refused one changed nothing: still only wechatpay
    expect(Object.keys((await admin('GET', `/onboarding/${ids[0]}`)).body.channels)).toEqual(['wechatpay']);
    await runJobsFor(60, async () => {
      const page = (await admin('GET', `/onboarding?status=approved&limit=100`)).body.data.map(
        (a: { id: string }) => a.id,
      );
      return ids.every((id) => page.includes(id));
    });
    for (const id of ids) expect((await admin('GET', `/onboarding/${id}`)).body.status).toBe('approved');
  });

  it('refuses to submit to a channel the merchant has no configuration for', async () => {
    const lone = (await admin('POST', '/merchants', { name: 'No ISV' })).body.id;
    const created = (await admin('POST', '/onboarding', { ...APPLICATION, merchant_id: lone })).body;
    const res = await admin('POST', `/onboarding/${created.id}/submit`, { channels: ['unionpay'] });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', param: 'channels' });
    expect((await admin('GET', `/onboarding/${created.id}`)).body.status).toBe('draft');
  });

  it('onboards a merchant without a service provider on its institution’s credentials', async () => {
    const merchant = (await admin('POST', '/merchants', { name: 'Bank Direct' })).body;
    expect(merchant.service_provider_id).toBeNull();
    const bank = merchant.institution_id as string;
    const put = await admin('PUT', `/institutions/${bank}/channels/wechatpay`, {
      fields: { sp_mchid: '1900000009', sp_appid: 'wx0123456789abcdef', merchant_private_key: PEM },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ owner_type: 'institution', has_secret: { merchant_private_key: true } });
    expect(JSON.stringify(put.body)).not.toContain('PRIVATE KEY');

    const created = (await admin('POST', '/onboarding', { ...APPLICATION, merchant_id: merchant.id })).body;
    const submitted = await admin('POST', `/onboarding/${created.id}/submit`, { channels: ['wechatpay'] });
    expect(submitted.status).toBe(200);
    await runJobsFor(
      60,
      async () => (await admin('GET', `/onboarding/${created.id}`)).body.status === 'approved',
    );
    const final = (await admin('GET', `/onboarding/${created.id}`)).body;
    expect(final.channels.wechatpay.status).toBe('approved');

    const view = (await admin('GET', `/merchants/${merchant.id}/channels/wechatpay`)).body;
    expect(view.fields).toEqual({ sub_mchid: final.channels.wechatpay.sub_merchant_id });
    expect(view.effective).toMatchObject({
      enabled: true,
      inherited_from: bank,
      fields: { sp_mchid: '1900000009', sub_mchid: final.channels.wechatpay.sub_merchant_id },
    });
    // a service provider's merchants run on their provider's credentials alone, never mixed with the bank's
    const ispShop = await newMerchant('ISV shop');
    const isp = await resolveChannelConfig(ctx.database.db, t.ctx.box, ispShop, 'wechatpay');
    expect(isp?.fields).toMatchObject({ sp_mchid: '1900000001', apiv3_key: 'k'.repeat(32) });
    // disabling the bank's configuration takes the channel from its direct merchants only
    await admin('PUT', `/institutions/${bank}/channels/wechatpay`, { enabled: false });
    expect(await resolveChannelConfig(ctx.database.db, t.ctx.box, merchant.id, 'wechatpay')).toBeUndefined();
    expect(await resolveChannelConfig(ctx.database.db, t.ctx.box, ispShop, 'wechatpay')).toBeDefined();
  });
});
