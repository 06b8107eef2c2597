import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import {
  CHANNEL_CONFIG_FIELDS,
  CHANNEL_IDS,
  ChannelRegistry,
  createChannelAdapters,
  isChannelId,
  ONBOARDING_CHANNEL_IDS,
  type ChannelId,
} from '../../src/channels/index.js';
import { channelConfigSource } from '../../src/merchants/index.js';
import { generateMasterKey, SecretBox } from '../../src/platform/secret-box.js';
import { adminClient } from '../support/admin.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';

/**
 * "Adding a channel = a folder + one registry line" (issue 10, docs/development.md): a channel that
 * exists only in this test, added as one more entry of the registry's CHANNEL_ENTRIES (the one line
 * a real channel adds), is known everywhere without any other edit: the derived ids and fields, the
 * database (no migration: the `channels` table is filled from the registry), the admin routes, the
 * merchants' configuration checks and the channel notification route.
 */

const seen = vi.hoisted(() => ({ notifications: [] as Array<Record<string, string>> }));

vi.mock('../../src/channels/registry.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/channels/registry.js')>();
  const { ChannelError } = await import('../../src/channels/channel.js');
  const { field, token } = await import('../../src/channels/config-fields.js');
  const refuse = () => Promise.reject(new ChannelError('rejected', 'fakepay takes no orders'));
  // what a channel folder's index.ts exports: its ChannelEntry
  const fakepay = {
    configFields: {
      shop_id: field(token(2, 16), "the merchant's shop at fakepay", { required: true }),
      api_key: field(token(16, 64), 'the signing key', { required: true, secret: true }),
    },
    adapter: () => ({
      id: 'fakepay' as ChannelId,
      payWays: [],
      create: refuse,
      payByCode: refuse,
      query: refuse,
      close: refuse,
      reverse: refuse,
      refund: refuse,
      refundQuery: refuse,
      downloadBill: refuse,
      parseNotification: async (config: { fields: Record<string, string> }) => {
        seen.notifications.push(config.fields);
        throw new ChannelError('invalid_notification', 'fakepay signs nothing');
      },
      ack: (accepted: boolean) => ({
        status: accepted ? 200 : 400,
        contentType: 'text/plain',
        body: accepted ? 'fakepay: ok' : 'fakepay: refused',
      }),
    }),
  };
  return { ...original, CHANNEL_ENTRIES: { ...original.CHANNEL_ENTRIES, fakepay } };
});

const fakepay = 'fakepay' as ChannelId;

it('the ids, fields and adapters derived from the registry include the new entry', () => {
  expect(CHANNEL_IDS).toEqual([
    'wechatpay',
    'alipay',
    'unionpay',
    'qqwallet',
    'jdpay',
    'baiduwallet',
    'fakepay',
  ]);
  expect(isChannelId('fakepay')).toBe(true);
  expect(isChannelId('nopay')).toBe(false);
  expect(Object.keys(CHANNEL_CONFIG_FIELDS[fakepay])).toEqual(['shop_id', 'api_key']);
  expect(createChannelAdapters({} as never).map((c) => c.id)).toContain('fakepay');
  expect(ONBOARDING_CHANNEL_IDS).not.toContain('fakepay'); // its entry has no onboarding
});

describeEachEngine('a channel added by one registry entry', (ctx) => {
  let t: TestApp;
  const admin = adminClient(() => t.app);
  const db = () => ctx.database.db as unknown as Kysely<unknown>;
  const insertConfig = (channel: string) =>
    sql`insert into channel_configs (owner_id, owner_type, channel, created_at, updated_at)
        values (${`mch_raw_${channel}`}, 'merchant', ${channel}, now(), now())`.execute(db());

  beforeAll(async () => {
    const box = new SecretBox(generateMasterKey());
    const channels = new ChannelRegistry(
      channelConfigSource(ctx.database.db, box),
      createChannelAdapters({} as never),
    );
    t = await createTestApp(ctx.database, { box, channels });
  });
  afterAll(async () => t?.close());

  it('the database accepts its id without a migration of its own, and still refuses an unknown one', async () => {
    const { rows } = await sql<{ id: string }>`select id from channels order by id`.execute(db());
    expect(rows.map((r) => r.id)).toEqual([...CHANNEL_IDS].sort());
    await insertConfig('fakepay');
    await expect(insertConfig('nopay')).rejects.toThrow(/channel_configs_channel_fkey/);
  });

  it('the admin routes configure it, checked against the fields its entry declares', async () => {
    const path = `/merchants/${t.merchantId}/channels/fakepay`;
    const bad = await admin('PUT', path, { fields: { shop_id: 'S', api_key: 'k'.repeat(16) } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('shop_id');
    const put = await admin('PUT', path, { fields: { shop_id: 'S1', api_key: 'k'.repeat(16) } });
    expect(put.status).toBe(200);
    expect(put.body.has_secret).toEqual({ api_key: true });
    const list = await admin('GET', `/merchants/${t.merchantId}/channels`);
    expect(list.body.data.map((c: { channel: string }) => c.channel)).toEqual(['fakepay']);
    expect((await admin('GET', `/merchants/${t.merchantId}/channels/nopay`)).status).toBe(400);
  });

  it("its notifications reach its adapter with the merchant's configuration", async () => {
    seen.notifications.length = 0;
    const res = await t.app.inject({
      method: 'POST',
      url: `/notify/fakepay/${t.merchantId}`,
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect([res.statusCode, res.body]).toEqual([400, 'fakepay: refused']);
    expect(seen.notifications).toEqual([{ shop_id: 'S1', api_key: 'k'.repeat(16) }]);
    const nopay = await t.app.inject({ method: 'POST', url: `/notify/nopay/${t.merchantId}`, payload: 'x' });
    expect(nopay.statusCode).toBe(404);
  });
});
