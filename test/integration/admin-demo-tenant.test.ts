import { beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { resolveChannelConfig } from '../../src/merchants/channel-config/store.js';
import { ensureDemoTenant } from '../../src/demo/tenant.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';
import { generateSandboxKeys } from '../../src/sandbox/keygen.js';
import type { SandboxKeys } from '../../src/sandbox/keys.js';
import { describeEachEngine } from '../support/db.js';
import { ratesFor, splitFee } from '../../src/fees/index.js';

describeEachEngine('demo tenant channel configuration', (ctx) => {
  let keys: SandboxKeys;
  const box = new SecretBox(generateMasterKey());
  const clock = new ManualClock();
  beforeAll(async () => {
    keys = await generateSandboxKeys();
  });

  it('points the demo merchant at the sandbox with its keys, created once', async () => {
    const sandbox = { url: 'http://127.0.0.1:3100', keys };
    const { record } = await ensureDemoTenant(ctx.database.db, box, clock, sandbox);
    const again = await ensureDemoTenant(ctx.database.db, box, clock, sandbox);
    expect(again.record.merchant_id).toBe(record.merchant_id);
    const wx = await resolveChannelConfig(ctx.database.db, box, record.merchant_id, 'wechatpay');
    expect(wx?.fields).toMatchObject({
      base_url: 'http://127.0.0.1:3100/wechatpay/',
      sp_mchid: keys.wechatpay.sp_mchid,
      sub_mchid: keys.wechatpay.sub_mchid,
      merchant_private_key: keys.wechatpay.merchant_private_key,
      apiv3_key: keys.wechatpay.apiv3_key,
    });
    const ali = await resolveChannelConfig(ctx.database.db, box, record.merchant_id, 'alipay');
    expect(ali?.fields).toMatchObject({
      gateway: 'http://127.0.0.1:3100/alipay/gateway.do',
      app_auth_token: keys.alipay.app_auth_token,
    });
    const up = await resolveChannelConfig(ctx.database.db, box, record.merchant_id, 'unionpay');
    expect(up?.fields).toMatchObject({
      mer_id: keys.unionpay.mer_id,
      sign_private_key: keys.unionpay.sign_private_key,
    });
    const qq = await resolveChannelConfig(ctx.database.db, box, record.merchant_id, 'qqwallet');
    expect(qq?.fields).toMatchObject({ base_url: 'http://127.0.0.1:3100/qqwallet/', sandbox: '1' });
    const rows = await ctx.database.db.selectFrom('channel_configs').selectAll().execute();
    expect(rows).toHaveLength(12); // 3 at the bank, 3 at the service provider, 6 at the merchant
    expect(JSON.stringify(rows)).not.toContain(keys.wechatpay.apiv3_key);
  });

  it("installs the demo pricing: 0.30 % for the merchant, the channels' costs, 50 % / 30 % shares", async () => {
    const { record } = await ensureDemoTenant(ctx.database.db, box, clock);
    const costs = { wechatpay: 2000, alipay: 2300, unionpay: 2200 };
    for (const [channel, cost] of Object.entries(costs)) {
      const { snapshot } = await ratesFor(ctx.database.db, record.merchant_id, channel);
      expect(snapshot).toEqual({
        rate: 3000,
        costRate: cost,
        shares: { service_provider: 500_000, bank: 300_000 },
        hasProvider: true,
      });
    }
    const { snapshot } = await ratesFor(ctx.database.db, record.merchant_id, 'wechatpay');
    expect(splitFee(10_000, snapshot)).toMatchObject({
      fee: 30,
      channelCost: 20,
      provider: 5,
      bank: 3,
      institution: 2,
    });
  });
});
