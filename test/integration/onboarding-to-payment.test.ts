import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createChannelAdapters } from '../../src/channels/index.js';
import { createOnboardingChannels } from '../../src/channels/index.js';
import { ChannelRegistry } from '../../src/channels/registry.js';
import { channelConfigSource } from '../../src/merchants/channel-config/source.js';
import { resolveChannelConfig } from '../../src/merchants/channel-config/store.js';
import { writeDemoChannelConfigs } from '../../src/demo/channels.js';
import { onboardingJobHandlers } from '../../src/merchants/onboarding/jobs.js';
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
import { KYC_APPLICATION } from '../support/kyc.js';

const APPLICATION = KYC_APPLICATION;
const WECHAT_UA = 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47';

// Issue 4 end to end, through the admin API alone: onboard a merchant, bind a plate to its store,
// and take a WeChat payment that runs on the sub-merchant id the channel just approved.
describeEachEngine('from onboarding to the first payment', (ctx) => {
  let t: TestApp;
  let sandbox: TestSandbox;
  let baseUrl: string;
  beforeAll(async () => {
    const clock = new ManualClock(Date.now()); // one time for JuhePay and the sandbox
    sandbox = await startTestSandbox(SANDBOX_PLUGINS, { clock });
    const box = new SecretBox(generateMasterKey());
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const channels = new ChannelRegistry(channelConfigSource(ctx.database.db, box), []);
    t = await createTestApp(ctx.database, { box, channels, clock, publicUrl: baseUrl });
    for (const adapter of createChannelAdapters(t.clock)) channels.register(adapter);
    await t.app.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  const admin = succeeding(adminClient(() => t.app));
  const api = merchantHttpClient(
    () => baseUrl,
    () => t.credentials,
    () => t.clock,
  );

  it('onboards to WeChat Pay, Alipay and UnionPay; a bound plate then takes a WeChat payment for that merchant only, and UnionPay pays on the registered merId', async () => {
    const db = ctx.database.db;
    // a service provider holding the sandbox's channel credentials (set up like the demo tenant's)
    const provider = (await admin('POST', '/service-providers', { name: 'ISV' })).id as string;
    const template = (await admin('POST', '/merchants', { name: 'template', service_provider_id: provider }))
      .id as string;
    await writeDemoChannelConfigs(
      db,
      t.ctx.box,
      { serviceProviderId: provider, merchantId: template },
      { url: sandbox.url, keys: sandbox.ctx.keys },
      t.clock,
    );

    const merchant = (
      await admin('POST', '/merchants', { name: 'Noodle Bar', service_provider_id: provider })
    ).id as string;
    const store = (await admin('POST', `/merchants/${merchant}/stores`, { name: 'Main Street' }))
      .id as string;
    const app = await admin('POST', `/merchants/${merchant}/apps`, { name: 'pos' });
    const application = (await admin('POST', '/onboarding', { ...APPLICATION, merchant_id: merchant }))
      .id as string;
    await admin('POST', `/onboarding/${application}/submit`, {
      channels: ['wechatpay', 'alipay', 'unionpay'],
    });

    const handlers = onboardingJobHandlers(
      { db, box: t.ctx.box, clock: t.clock },
      createOnboardingChannels(t.clock, { timeoutMs: 5_000 }),
    );
    for (let s = 0; s < 60 && (await admin('GET', `/onboarding/${application}`)).status !== 'approved'; s++) {
      await runDue(db, handlers, { workerId: 'test', limit: 50, leaseMs: 60_000 }, t.clock);
      t.clock.advance(1_000);
    }
    const approved = await admin('GET', `/onboarding/${application}`);
    expect(approved.status).toBe('approved');
    const subMchid = approved.channels.wechatpay.sub_merchant_id as string;
    expect(subMchid).not.toBe(sandbox.ctx.keys.wechatpay.sub_mchid); // a new id, from the channel
    expect((await resolveChannelConfig(db, t.ctx.box, merchant, 'wechatpay'))?.fields.sub_mchid).toBe(
      subMchid,
    );

    const plate = (await admin('POST', '/plates', { count: 1 })).plates[0].code as string;
    await admin('POST', `/plates/${plate}/bind`, { merchant_id: merchant, store_id: store });
    const q = await fetch(`${baseUrl}/q/${plate}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1888 }),
    });
    expect(q.status).toBe(201);
    const { order_id } = (await q.json()) as { order_id: string };
    const step = await walletAction(baseUrl, order_id, WECHAT_UA);
    const prepayId = (step.action.params as Record<string, string>).package!.slice('prepay_id='.length);
    const openid = (
      await db
        .selectFrom('orders')
        .select('channel_payer_id')
        .where('id', '=', order_id)
        .executeTakeFirstOrThrow()
    ).channel_payer_id;
    const pay = await fetch(`${sandbox.url}/sandbox/wechat/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prepay_id: prepayId, openid }),
    });
    expect(pay.status).toBeLessThan(300);

    // the notification (for sub_mchid = the new id) makes it succeed; the merchant's own app reads it
    const path = `/v1/orders/${order_id}`;
    const mine = await settledState(
      sandbox,
      async () => {
        const { body } = (await api('GET', path, undefined, app)) as {
          body: { status: string; merchant_id: string; store_id?: string };
        };
        return body.status === 'succeeded' ? body : undefined;
      },
      'the payment',
    );
    expect(mine).toMatchObject({ merchant_id: merchant, amount: 1888 });
    const others = await api('GET', path);
    expect(others.status).toBe(404);
  });
});
