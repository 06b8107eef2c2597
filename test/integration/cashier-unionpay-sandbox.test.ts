import { afterAll, beforeAll, expect, it } from 'vitest';
import { createChannelAdapters } from '../../src/channels/index.js';
import { ChannelRegistry } from '../../src/channels/registry.js';
import { channelConfigSource } from '../../src/merchants/channel-config/source.js';
import { writeDemoChannelConfigs } from '../../src/demo/channels.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';
import { SANDBOX_PLUGINS } from '../../src/sandbox/plugins.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { walletAction } from '../support/payments.js';
import { freePort } from '../support/process.js';
import { settledState, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { adminClient, succeeding } from '../support/admin.js';
import { merchantHttpClient } from '../support/merchant-api.js';

const UNIONPAY_UA = 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 (UnionPay/1.0 CloudPay)';

// Issue 9 point 9: with the demo tenant's sandbox configuration (written as `npm start` writes it),
// a UnionPay app scanning the cashier gets the real qrCode URL (which leads nowhere offline) AND a
// sandbox_url: the sandbox wallet page where the customer confirms or cancels.
describeEachEngine('the cashier offers the sandbox UnionPay wallet page', (ctx) => {
  let t: TestApp;
  let sandbox: TestSandbox;
  let baseUrl: string;
  beforeAll(async () => {
    sandbox = await startTestSandbox(SANDBOX_PLUGINS);
    const box = new SecretBox(generateMasterKey());
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const channels = new ChannelRegistry(channelConfigSource(ctx.database.db, box), []);
    t = await createTestApp(ctx.database, { box, channels, publicUrl: baseUrl });
    for (const adapter of createChannelAdapters(t.clock)) channels.register(adapter);
    t.clock.set(Date.now()); // the sandbox checks signature timestamps against real time
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

  it('JSON mode: a redirect to qr.95516.com plus a sandbox_url whose page pays the order', async () => {
    const provider = (await admin('POST', '/service-providers', { name: 'ISV' })).id as string;
    const merchant = (
      await admin('POST', '/merchants', { name: 'Noodle Bar', service_provider_id: provider })
    ).id as string;
    await writeDemoChannelConfigs(
      ctx.database.db,
      t.ctx.box,
      { serviceProviderId: provider, merchantId: merchant },
      { url: sandbox.url, keys: sandbox.ctx.keys },
      t.clock,
    );
    const app = await admin('POST', `/merchants/${merchant}/apps`, { name: 'pos' });
    const created = await api(
      'POST',
      '/v1/orders',
      { mch_order_no: 'UP-SANDBOX-1', amount: 1666, subject: 'noodles' },
      app,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const order = created.body as { id: string };

    const step = await walletAction(baseUrl, order.id, UNIONPAY_UA);
    expect(step).toMatchObject({ wallet: 'unionpay', pay_way: 'unionpay_qr', action: { type: 'redirect' } });
    expect(step.action.url).toMatch(/^https:\/\/qr\.95516\.com\//);
    const sandboxUrl = step.action.sandbox_url as string;
    expect(sandboxUrl).toMatch(new RegExp(`^${sandbox.url}/sandbox/unionpay/pay\\?order_id=`));

    // the wallet page shows the order with Pay and Cancel; paying there notifies JuhePay
    const page = await fetch(sandboxUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('¥16.66');
    expect(html).toContain('/sandbox/unionpay/decline');
    const orderId = new URL(sandboxUrl).searchParams.get('order_id')!;
    const paid = await fetch(`${sandbox.url}/sandbox/unionpay/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ order_id: orderId }),
    });
    expect(paid.status).toBe(200);
    const path = `/v1/orders/${order.id}`;
    const done = await settledState(
      sandbox,
      async () => {
        const o = (await api('GET', path, undefined, app)).body as { status: string; channel?: string };
        return o.status === 'succeeded' ? o : undefined;
      },
      'the UnionPay payment',
    );
    expect(done).toMatchObject({ channel: 'unionpay', amount: 1666 });
  });
});
