import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import { channelConfigSource } from '../../src/merchants/channel-config/source.js';
import { assertMerchantCanTransact } from '../../src/merchants/tenancy.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { signedInject } from '../support/merchant-api.js';
import { adminClient } from '../support/admin.js';

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCsecretbits\n-----END PRIVATE KEY-----\n';

describeEachEngine('admin tenancy API', (ctx) => {
  let t: TestApp;
  const admin = adminClient(() => t.app);
  const ping = (creds: { app_id: string; app_secret: string }) =>
    signedInject(t.app, creds, t.clock, 'GET', '/v1/ping');

  beforeAll(async () => {
    t = await createTestApp(ctx.database);
  });
  afterAll(() => t.close());

  it('builds the tree: institution, service provider, merchant, store, terminal', async () => {
    const ins = await admin('POST', '/institutions', { name: 'Bank of Fuzhou' });
    expect(ins).toMatchObject({ status: 201, body: { object: 'institution', name: 'Bank of Fuzhou' } });
    const sp = await admin('POST', '/service-providers', { name: 'ISV', institution_id: ins.body.id });
    expect(sp.body).toMatchObject({ object: 'service_provider', institution_id: ins.body.id });
    const m = await admin('POST', '/merchants', { name: 'Tea', service_provider_id: sp.body.id });
    expect(m.body).toMatchObject({
      institution_id: ins.body.id,
      service_provider_id: sp.body.id,
      status: 'active',
    });
    const store = await admin('POST', `/merchants/${m.body.id}/stores`, { name: 'Branch' });
    const terminal = await admin('POST', `/stores/${store.body.id}/terminals`, {
      name: 'Till 1',
      device_sn: 'SN-0001',
    });
    expect(terminal).toMatchObject({
      status: 201,
      body: { object: 'terminal', merchant_id: m.body.id, store_id: store.body.id, device_sn: 'SN-0001' },
    });
    const dup = await admin('POST', `/stores/${store.body.id}/terminals`, {
      name: 'Till 2',
      device_sn: 'SN-0001',
    });
    expect(dup).toMatchObject({ status: 409, body: { error: { param: 'device_sn' } } });
    expect((await admin('GET', `/stores/${store.body.id}/terminals`)).body.data).toHaveLength(1);
    expect(
      (await admin('GET', `/merchants?service_provider_id=${sp.body.id}`)).body.data.map(
        (x: { id: string }) => x.id,
      ),
    ).toEqual([m.body.id]);
    expect((await admin('GET', `/service-providers/${sp.body.id}`)).body.name).toBe('ISV');
  });

  it('pages merchants newest first with limit and starting_after', async () => {
    const sp = (await admin('POST', '/service-providers', { name: 'Pager' })).body.id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await admin('POST', '/merchants', { name: `M${i}`, service_provider_id: sp })).body.id);
    const first = await admin('GET', `/merchants?service_provider_id=${sp}&limit=2`);
    expect(first.body).toMatchObject({ object: 'list', has_more: true, next_starting_after: ids[3] });
    expect(first.body.data.map((m: { id: string }) => m.id)).toEqual([ids[4], ids[3]]);
    const second = await admin(
      'GET',
      `/merchants?service_provider_id=${sp}&limit=2&starting_after=${ids[3]}`,
    );
    expect(second.body.data.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[1]]);
    const last = await admin('GET', `/merchants?service_provider_id=${sp}&limit=2&starting_after=${ids[1]}`);
    expect(last.body).toMatchObject({ has_more: false, next_starting_after: null });
    expect(last.body.data.map((m: { id: string }) => m.id)).toEqual([ids[0]]);
  });

  it('suspends a merchant: new payments refused, audit and event written; activation restores', async () => {
    const id = (await admin('POST', '/merchants', { name: 'Risky' })).body.id;
    await expect(assertMerchantCanTransact(ctx.database.db, id)).resolves.toBeUndefined();
    const suspended = await admin('POST', `/merchants/${id}/suspend`, { reason: 'fraud review' });
    expect(suspended.body).toMatchObject({ status: 'suspended', status_reason: 'fraud review' });
    const error = await assertMerchantCanTransact(ctx.database.db, id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'merchant_suspended', status: 403, param: 'merchant_id' });
    expect((error as Error).message).toContain('fraud review');
    // suspending again changes nothing and writes no second audit entry
    await admin('POST', `/merchants/${id}/suspend`);
    expect(
      (await admin('GET', `/merchants?status=suspended`)).body.data.map((m: { id: string }) => m.id),
    ).toContain(id);
    const activated = await admin('POST', `/merchants/${id}/activate`);
    expect(activated.body).toMatchObject({ status: 'active', status_reason: null });
    await expect(assertMerchantCanTransact(ctx.database.db, id)).resolves.toBeUndefined();
    const audit = (await admin('GET', `/audit-log?object_id=${id}`)).body.data;
    expect(audit.map((e: { action: string }) => e.action)).toEqual([
      'merchant.activate',
      'merchant.suspend',
      'merchant.create',
    ]);
    expect(audit[1]).toMatchObject({
      actor: 'admin',
      before: { status: 'active' },
      after: { status: 'suspended' },
      request_id: expect.stringMatching(/^req_/),
    });
    const topics = await ctx.database.db
      .selectFrom('outbox')
      .select('topic')
      .where('topic', 'like', 'merchant.%')
      .execute();
    expect(topics.map((r) => r.topic)).toEqual(['merchant.suspended', 'merchant.active']);
    const missing = await assertMerchantCanTransact(ctx.database.db, 'mch_0000000000zzzzzzzzzzzzzzzz').catch(
      (e: unknown) => e,
    );
    expect(missing).toMatchObject({ code: 'resource_missing' });
  });

  it('lists apps without secrets, rotates a secret (old one stops at once), disables and enables', async () => {
    const merchant = (await admin('POST', '/merchants', { name: 'Apps' })).body.id;
    const created = await admin('POST', `/merchants/${merchant}/apps`, {
      name: 'POS',
      notify_url: 'https://shop.example/n',
    });
    const creds = { app_id: created.body.app_id, app_secret: created.body.app_secret };
    expect((await ping(creds)).statusCode).toBe(200);
    const list = await admin('GET', `/merchants/${merchant}/apps`);
    expect(list.body.data).toEqual([
      expect.objectContaining({
        app_id: creds.app_id,
        status: 'active',
        notify_url: 'https://shop.example/n',
      }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(creds.app_secret);
    expect(JSON.stringify((await admin('GET', `/apps/${creds.app_id}`)).body)).not.toContain(
      creds.app_secret,
    );

    const rotated = await admin('POST', `/apps/${creds.app_id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.app_secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(rotated.body.app_secret).not.toBe(creds.app_secret);
    expect((await ping(creds)).statusCode).toBe(401);
    const fresh = { app_id: creds.app_id, app_secret: rotated.body.app_secret as string };
    expect((await ping(fresh)).statusCode).toBe(200);

    expect((await admin('POST', `/apps/${creds.app_id}/disable`)).body.status).toBe('disabled');
    expect((await ping(fresh)).statusCode).toBe(401);
    expect((await admin('POST', `/apps/${creds.app_id}/enable`)).body.status).toBe('active');
    expect((await ping(fresh)).statusCode).toBe(200);

    const audit = (await admin('GET', `/audit-log?object_id=${creds.app_id}`)).body.data;
    expect(audit.map((e: { action: string }) => e.action)).toEqual([
      'app.enable',
      'app.disable',
      'app.rotate_secret',
      'app.create',
    ]);
    expect(JSON.stringify(audit)).not.toContain(fresh.app_secret);
    expect(JSON.stringify(audit)).not.toContain(creds.app_secret);
  });

  it('stores channel secrets sealed, never returns them, and merges provider and merchant fields', async () => {
    const sp = (await admin('POST', '/service-providers', { name: 'WX ISV' })).body.id;
    const merchant = (await admin('POST', '/merchants', { name: 'Cafe', service_provider_id: sp })).body.id;
    const put = await admin('PUT', `/service-providers/${sp}/channels/wechatpay`, {
      fields: {
        sp_mchid: '1900000001',
        merchant_private_key: PEM,
        apiv3_key: 'v'.repeat(32),
        base_url: 'http://127.0.0.1:3100/wechatpay/',
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      owner_type: 'service_provider',
      fields: { sp_mchid: '1900000001' },
      has_secret: { apiv3_key: true, merchant_private_key: true },
    });
    expect(JSON.stringify(put.body)).not.toContain('secretbits');
    const row = await ctx.database.db
      .selectFrom('channel_configs')
      .selectAll()
      .where('owner_id', '=', sp)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('secretbits');
    expect(JSON.stringify(row)).not.toContain('v'.repeat(32));

    const inherited = await admin('GET', `/merchants/${merchant}/channels/wechatpay`);
    expect(inherited.body).toMatchObject({
      fields: {},
      created_at: null,
      effective: { enabled: true, inherited_from: sp, fields: { sp_mchid: '1900000001' } },
    });
    const own = await admin('PUT', `/merchants/${merchant}/channels/wechatpay`, {
      fields: { sub_mchid: '1600000009' },
    });
    expect(own.body.effective.fields).toEqual({
      sp_mchid: '1900000001',
      sub_mchid: '1600000009',
      base_url: 'http://127.0.0.1:3100/wechatpay/',
    });
    const source = channelConfigSource(ctx.database.db, t.ctx.box);
    expect((await source.get(merchant, 'wechatpay'))?.fields).toMatchObject({
      sub_mchid: '1600000009',
      merchant_private_key: PEM,
    });

    // a patch keeps other fields, null removes one; disabling takes the channel out of force
    const patched = await admin('PUT', `/service-providers/${sp}/channels/wechatpay`, {
      fields: { apiv3_key: null },
    });
    expect(patched.body.has_secret).toEqual({ merchant_private_key: true });
    await admin('PUT', `/merchants/${merchant}/channels/wechatpay`, { enabled: false });
    expect(await source.get(merchant, 'wechatpay')).toBeUndefined();
    expect((await admin('GET', `/merchants/${merchant}/channels`)).body.data).toHaveLength(1);

    const audit = (await admin('GET', `/audit-log?object_id=${sp}:wechatpay`)).body.data;
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({
      before: { has_secret: { apiv3_key: true } },
      after: { has_secret: { merchant_private_key: true } },
    });
    expect(JSON.stringify(audit)).not.toContain('secretbits');
  });

  it('pages the audit log by entry id and filters by merchant', async () => {
    const id = (await admin('POST', '/merchants', { name: 'Audited' })).body.id;
    await admin('POST', `/merchants/${id}/stores`, { name: 'S1' });
    await admin('POST', `/merchants/${id}/stores`, { name: 'S2' });
    const page = await admin('GET', `/audit-log?merchant_id=${id}&limit=2`);
    expect(page.body.data.map((e: { action: string }) => e.action)).toEqual(['store.create', 'store.create']);
    expect(page.body.has_more).toBe(true);
    const next = await admin(
      'GET',
      `/audit-log?merchant_id=${id}&limit=2&starting_after=${page.body.next_starting_after}`,
    );
    expect(next.body.data.map((e: { action: string }) => e.action)).toEqual(['merchant.create']);
    const byAction = await admin('GET', `/audit-log?action=merchant.create&limit=100`);
    expect(byAction.body.data.every((e: { action: string }) => e.action === 'merchant.create')).toBe(true);
  });
});
