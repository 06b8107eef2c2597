import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createChannelAdapters } from '../../src/channels/index.js';
import { createOnboardingChannels } from '../../src/channels/index.js';
import { ChannelRegistry } from '../../src/channels/registry.js';
import { channelConfigSource } from '../../src/merchants/channel-config/source.js';
import { resolveChannelConfig } from '../../src/merchants/channel-config/store.js';
import { writeDemoChannelConfigs } from '../../src/demo/channels.js';
import { ensureDemoTenant } from '../../src/demo/tenant.js';
import { onboardingJobHandlers } from '../../src/merchants/onboarding/jobs.js';
import { paymentJobHandlers } from '../../src/payments/jobs.js';
import { runDue } from '../../src/platform/jobs/index.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';
import { SANDBOX_PLUGINS } from '../../src/sandbox/plugins.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { walletAction } from '../support/payments.js';
import { freePort } from '../support/process.js';
import { settledState, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { adminClient, succeeding } from '../support/admin.js';
import { merchantHttpClient } from '../support/merchant-api.js';
import type { Credentials } from '../support/signing.js';
import { KYC_APPLICATION } from '../support/kyc.js';

const WECHAT_UA = 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47';
const APPLICATION = KYC_APPLICATION;

// Issue 9 point 1: a merchant's channel configuration changes (here: it is onboarded and gets a new
// sub_mchid) after it took payments. Every later call about those payments — query, refund, a late
// notification — must run under the identity they were placed with, not the new one.
describeEachEngine('channel identity is a snapshot', (ctx) => {
  let t: TestApp;
  let sandbox: TestSandbox;
  let baseUrl: string;
  const clock = new ManualClock(Date.now()); // one time for JuhePay, its adapters and the sandbox
  beforeAll(async () => {
    sandbox = await startTestSandbox(SANDBOX_PLUGINS, { clock });
    const box = new SecretBox(generateMasterKey());
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const channels = new ChannelRegistry(
      channelConfigSource(ctx.database.db, box, clock),
      createChannelAdapters(clock),
    );
    t = await createTestApp(ctx.database, { box, channels, clock, publicUrl: baseUrl });
    await t.app.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  const admin = succeeding(adminClient(() => t.app));
  const signed = merchantHttpClient(
    () => baseUrl,
    () => t.credentials,
    () => clock,
  );
  const api = (app: Credentials, method: 'GET' | 'POST', path: string, body?: unknown) =>
    signed(method, path, body, app);
  const sandboxPost = async (path: string, body: unknown) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  };
  /** the customer opens the cashier in WeChat and confirms in the sandbox wallet */
  const payInWechat = async (orderId: string) => {
    const step = await walletAction(baseUrl, orderId, WECHAT_UA);
    const prepayId = (step.action.params as Record<string, string>).package!.slice('prepay_id='.length);
    const { channel_payer_id: openid } = await ctx.database.db
      .selectFrom('orders')
      .select('channel_payer_id')
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    await sandboxPost('/sandbox/wechat/pay', { prepay_id: prepayId, openid });
  };
  const orderRow = (id: string) =>
    ctx.database.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('queries, refunds and verifies a late notification for an order under the sub_mchid it was paid with, after the merchant was re-onboarded', async () => {
    const db = ctx.database.db;
    const provider = (await admin('POST', '/service-providers', { name: 'ISV' })).id as string;
    const template = (await admin('POST', '/merchants', { name: 'template', service_provider_id: provider }))
      .id as string;
    await writeDemoChannelConfigs(
      db,
      t.ctx.box,
      { serviceProviderId: provider, merchantId: template },
      { url: sandbox.url, keys: sandbox.ctx.keys },
      clock,
    );
    const merchant = (
      await admin('POST', '/merchants', { name: 'Noodle Bar', service_provider_id: provider })
    ).id as string;
    const oldSubMchid = sandbox.ctx.keys.wechatpay.sub_mchid;
    await admin('PUT', `/merchants/${merchant}/channels/wechatpay`, { fields: { sub_mchid: oldSubMchid } });
    const app = (await admin('POST', `/merchants/${merchant}/apps`, { name: 'pos' })) as Credentials;

    // order A: paid and notified under the old sub_mchid
    const a = await api(app, 'POST', '/v1/orders', { mch_order_no: 'A-1', amount: 1000, subject: 'noodles' });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    await payInWechat(a.body.id);
    await settledState(
      sandbox,
      async () => ((await orderRow(a.body.id)).status === 'succeeded' ? true : undefined),
      'order A paid',
    );

    // order B: paid, but WeChat's notification comes 60 s (channel time) late
    const b = await api(app, 'POST', '/v1/orders', { mch_order_no: 'B-1', amount: 800, subject: 'tea' });
    await sandboxPost('/sandbox/faults', { channel: 'wechatpay', operation: 'notify', mode: 'delay_notify' });
    await payInWechat(b.body.id);
    const placedWith = (await orderRow(b.body.id)).channel_config_version_id;
    expect(placedWith).toMatch(/^ccv_/);

    // meanwhile the merchant is onboarded: WeChat approves a new sub_mchid, written to its configuration
    const application = (await admin('POST', '/onboarding', { ...APPLICATION, merchant_id: merchant }))
      .id as string;
    await admin('POST', `/onboarding/${application}/submit`, { channels: ['wechatpay'] });
    const onboarding = onboardingJobHandlers(
      { db, box: t.ctx.box, clock },
      createOnboardingChannels(clock, { timeoutMs: 5_000 }),
    );
    await settledState(
      sandbox,
      async () => {
        await runDue(db, onboarding, { workerId: 'test', limit: 50, leaseMs: 60_000 }, clock);
        clock.advance(1_000);
        return (await admin('GET', `/onboarding/${application}`)).status === 'approved' ? true : undefined;
      },
      'onboarding approved',
    );
    const newSubMchid = (await resolveChannelConfig(db, t.ctx.box, merchant, 'wechatpay'))?.fields.sub_mchid;
    expect(newSubMchid).toBeDefined();
    expect(newSubMchid).not.toBe(oldSubMchid);

    // query: the poll asks WeChat about B under the old sub_mchid, and finds it paid
    expect((await orderRow(b.body.id)).status).toBe('paying');
    const payments = paymentJobHandlers(t.ctx);
    const lateAt = sandbox.ctx.scheduler.nextDueMs()!; // the delayed notification, 60 s after the payment
    clock.set(lateAt - 1); // just before it: the poll (due 5 s after the channel order) goes first
    await runDue(db, payments, { workerId: 'test', limit: 50, leaseMs: 60_000 }, clock);
    expect((await orderRow(b.body.id)).status).toBe('succeeded');
    await sandbox.advance(1); // now the late notification arrives

    // the late notification for B is verified with B's own snapshot: accepted (a duplicate by now)
    const late = await settledState(
      sandbox,
      async () =>
        (await db
          .selectFrom('channel_notifications')
          .select(['outcome', 'detail'])
          .where('out_trade_no', '=', b.body.id)
          .executeTakeFirst()) ?? undefined,
      'the late notification for B',
    );
    expect(late).toEqual({ outcome: 'duplicate', detail: null });

    // refund A: submitted under A's identity; WeChat's REFUND.SUCCESS notification settles it
    const refund = await api(app, 'POST', '/v1/refunds', {
      order_id: a.body.id,
      mch_refund_no: 'R-1',
      amount: 300,
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    expect(refund.body.status).not.toBe('failed');
    const done = await settledState(
      sandbox,
      async () => {
        await sandbox.advance(5_000); // WeChat settles a refund after 5 s, then notifies
        const r = await api(app, 'GET', `/v1/refunds/${refund.body.id}`);
        return r.body.status === 'pending' ? undefined : r.body;
      },
      'refund settled',
    );
    expect(done.status).toBe('succeeded');
    expect((await orderRow(a.body.id)).amount_refunded).toBe(300);

    // a new order runs under the new identity, recorded as a new version; the old one is kept
    const c = await api(app, 'POST', '/v1/orders', { mch_order_no: 'C-1', amount: 500, subject: 'rice' });
    await payInWechat(c.body.id);
    const cRow = await orderRow(c.body.id);
    expect(cRow.channel_config_version_id).toMatch(/^ccv_/);
    expect(cRow.channel_config_version_id).not.toBe(placedWith);
    const versions = await db
      .selectFrom('channel_config_versions')
      .select('id')
      .where('merchant_id', '=', merchant)
      .where('channel', '=', 'wechatpay')
      .execute();
    expect(versions.map((v) => v.id)).toEqual(
      expect.arrayContaining([placedWith, cRow.channel_config_version_id]),
    );
    await settledState(
      sandbox,
      async () => ((await orderRow(c.body.id)).status === 'succeeded' ? true : undefined),
      'order C paid under the new sub_mchid',
    );
  });

  it('the demo story: a plate order paid in the first seconds is refunded after the demo onboarding finished', async () => {
    const db = ctx.database.db;
    // a fresh start: the demo tenant is created and its onboarding submitted, not yet approved
    const { record, secret } = await ensureDemoTenant(db, t.ctx.box, clock, {
      url: sandbox.url,
      keys: sandbox.ctx.keys,
    });
    const app: Credentials = { app_id: record.app_id, app_secret: secret };
    const before = (await resolveChannelConfig(db, t.ctx.box, record.merchant_id, 'wechatpay'))?.fields
      .sub_mchid;
    expect(before).toBe(sandbox.ctx.keys.wechatpay.sub_mchid);

    const q = await fetch(`${baseUrl}/q/${record.plates.bound[0]}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1234 }),
    });
    expect(q.status).toBe(201);
    const { order_id: orderId } = (await q.json()) as { order_id: string };
    await payInWechat(orderId);
    await settledState(
      sandbox,
      async () => ((await orderRow(orderId)).status === 'succeeded' ? true : undefined),
      'the plate order paid',
    );

    // a minute later the demo onboarding has finished: the merchant runs on a new sub_mchid
    const onboarding = onboardingJobHandlers(
      { db, box: t.ctx.box, clock },
      createOnboardingChannels(clock, { timeoutMs: 5_000 }),
    );
    await settledState(
      sandbox,
      async () => {
        await runDue(db, onboarding, { workerId: 'test', limit: 50, leaseMs: 60_000 }, clock);
        clock.advance(1_000);
        const now = (await resolveChannelConfig(db, t.ctx.box, record.merchant_id, 'wechatpay'))?.fields
          .sub_mchid;
        return now !== before ? true : undefined;
      },
      'the demo onboarding approved',
    );

    const refund = await api(app, 'POST', '/v1/refunds', {
      order_id: orderId,
      mch_refund_no: 'demo-1',
      amount: 1234,
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    const done = await settledState(
      sandbox,
      async () => {
        await sandbox.advance(5_000); // WeChat settles a refund after 5 s, then notifies
        const r = await api(app, 'GET', `/v1/refunds/${refund.body.id}`);
        return r.body.status === 'pending' ? undefined : r.body;
      },
      'the refund settled',
    );
    expect(done).toMatchObject({ status: 'succeeded', amount: 1234 });
  });
});
