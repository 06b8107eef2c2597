import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isPlateCode } from '../../src/merchants/plates/rules.js';
import { createStore } from '../../src/merchants/tenancy.js';
import { describeEachEngine } from '../support/db.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { adminInject } from '../support/admin.js';

// The admin plate API (CONTRACT §3): batches, sheet, PNG, bind/unbind/disable/enable and their events.
describeEachEngine('admin plates API', (ctx) => {
  let t: TestApp;
  let storeId: string;
  beforeAll(async () => {
    t = await createTestApp(ctx.database);
    storeId = (await createStore(ctx.database.db, t.merchantId, 'Branch 1', t.clock)).id;
  });
  afterAll(() => t.close());

  const admin = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    adminInject(t.app, method, url, body);

  const events = (topic: string) =>
    ctx.database.db.selectFrom('outbox').selectAll().where('topic', '=', topic).execute();

  it('creates a batch of blank plates with unguessable codes and their URLs', async () => {
    const res = await admin('POST', '/plates', { count: 5, amount: 1500 });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.batch_id).toMatch(/^pbt_/);
    expect(body.count).toBe(5);
    expect(body.amount).toBe(1500);
    expect(body.plates).toHaveLength(5);
    for (const p of body.plates) {
      expect(isPlateCode(p.code)).toBe(true);
      expect(p.url).toBe(`http://127.0.0.1:3000/q/${p.code}`);
    }
    expect(new Set(body.plates.map((p: { code: string }) => p.code)).size).toBe(5);
    const batch = (await admin('GET', `/plates/batches/${body.batch_id}`)).json();
    expect(batch.plates.map((p: { seq: number }) => p.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(
      batch.plates.every(
        (p: { status: string; amount: number }) => p.status === 'blank' && p.amount === 1500,
      ),
    ).toBe(true);
    expect((await events('plate_batch.created')).some((e) => e.payload.batch_id === body.batch_id)).toBe(
      true,
    );
  });

  it.each([
    ['count 0', { count: 0 }, 'count', 'parameter_invalid'],
    ['count over the API limit', { count: 1001 }, 'count', 'parameter_invalid'],
    ['a fractional count', { count: 1.5 }, 'count', 'parameter_invalid'],
    ['a string count', { count: '3' }, 'count', 'parameter_invalid'],
    ['no count', { amount: 100 }, 'count', 'parameter_missing'],
    ['amount 0', { count: 1, amount: 0 }, 'amount', 'parameter_invalid'],
    ['amount over 100 000 000', { count: 1, amount: 100_000_001 }, 'amount', 'parameter_invalid'],
    ['an unknown field', { count: 1, colour: 'red' }, 'colour', 'parameter_unknown'],
  ])('refuses %s with 400 naming the field', async (_name, body, param, code) => {
    const res = await admin('POST', '/plates', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code, param });
  });

  it('needs the admin token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/admin/v1/plates', payload: { count: 1 } });
    expect(res.statusCode).toBe(401);
  });

  it('serves the sheet as a PDF and each plate as a PNG', async () => {
    const { batch_id, plates } = (await admin('POST', '/plates', { count: 13 })).json();
    const pdf = await admin('GET', `/plates/batches/${batch_id}/sheet.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await PDFDocument.load(pdf.rawPayload)).getPageCount()).toBe(2); // 13 plates: 12 a page
    const png = await admin('GET', `/plates/${plates[0].code}/qr.png`);
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
  });

  it('answers 404 for an unknown batch or plate and 400 for a malformed code', async () => {
    const batch = await admin('GET', '/plates/batches/pbt_00000000000000000000000000/sheet.pdf');
    expect(batch.statusCode).toBe(404);
    expect(batch.json().error.param).toBe('batch_id');
    expect((await admin('GET', '/plates/ABCDEFGHJKLMNPQR')).statusCode).toBe(404);
    const bad = await admin('POST', '/plates/abc/bind', { merchant_id: t.merchantId });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.param).toBe('code');
  });

  it('binds, refuses a silent rebind, unbinds, disables and enables, with one event per change', async () => {
    const [plate] = (await admin('POST', '/plates', { count: 1 })).json().plates;
    const bind = await admin('POST', `/plates/${plate.code}/bind`, {
      merchant_id: t.merchantId,
      store_id: storeId,
    });
    expect(bind.statusCode).toBe(200);
    expect(bind.json()).toMatchObject({ status: 'bound', merchant_id: t.merchantId, store_id: storeId });
    expect(bind.json().bound_at).toBe(t.clock.now().toISOString());

    const again = await admin('POST', `/plates/${plate.code}/bind`, {
      merchant_id: t.merchantId,
      store_id: storeId,
    });
    expect(again.statusCode).toBe(200); // same target: a no-op
    const elsewhere = await admin('POST', `/plates/${plate.code}/bind`, { merchant_id: t.merchantId });
    expect(elsewhere.statusCode).toBe(409);
    expect(elsewhere.json().error.code).toBe('state_conflict');

    const disabled = await admin('POST', `/plates/${plate.code}/disable`);
    expect(disabled.json()).toMatchObject({ status: 'disabled', merchant_id: t.merchantId });
    expect(
      (await admin('POST', `/plates/${plate.code}/bind`, { merchant_id: t.merchantId })).statusCode,
    ).toBe(409);
    expect((await admin('POST', `/plates/${plate.code}/enable`)).json().status).toBe('bound');
    const unbound = await admin('POST', `/plates/${plate.code}/unbind`);
    expect(unbound.json()).toMatchObject({
      status: 'blank',
      merchant_id: null,
      store_id: null,
      bound_at: null,
    });

    const mine = async (topic: string) =>
      (await events(topic)).filter((e) => (e.payload.object as { code: string }).code === plate.code).length;
    expect(await mine('plate.bound')).toBe(1);
    expect(await mine('plate.disabled')).toBe(1);
    expect(await mine('plate.enabled')).toBe(1);
    expect(await mine('plate.unbound')).toBe(1);
  });

  it('checks the bind target: merchant exists, store belongs to it', async () => {
    const [plate] = (await admin('POST', '/plates', { count: 1 })).json().plates;
    const noMerchant = await admin('POST', `/plates/${plate.code}/bind`, {
      merchant_id: 'mch_00000000000000000000000000',
    });
    expect(noMerchant.statusCode).toBe(404);
    expect(noMerchant.json().error.param).toBe('merchant_id');
    const other = (await admin('POST', '/merchants', { name: 'Other Shop' })).json();
    const wrongStore = await admin('POST', `/plates/${plate.code}/bind`, {
      merchant_id: other.id,
      store_id: storeId,
    });
    expect(wrongStore.statusCode).toBe(422);
    expect(wrongStore.json().error.param).toBe('store_id');
    expect((await admin('GET', `/plates/${plate.code}`)).json().status).toBe('blank'); // nothing changed
    const unknownField = await admin('POST', `/plates/${plate.code}/bind`, {
      merchant_id: other.id,
      shop: 1,
    });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().error.param).toBe('shop');
  });

  it('lets concurrent binds of one plate to two merchants produce exactly one binding', async () => {
    const [plate] = (await admin('POST', '/plates', { count: 1 })).json().plates;
    const other = (await admin('POST', '/merchants', { name: 'Racing Shop' })).json();
    const results = await Promise.all([
      admin('POST', `/plates/${plate.code}/bind`, { merchant_id: t.merchantId }),
      admin('POST', `/plates/${plate.code}/bind`, { merchant_id: other.id }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.statusCode === 200)!.json().merchant_id;
    expect((await admin('GET', `/plates/${plate.code}`)).json().merchant_id).toBe(winner);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of [
      '/admin/v1/plates',
      '/admin/v1/plates/batches/{batch_id}/sheet.pdf',
      '/admin/v1/plates/{code}/bind',
      '/admin/v1/plates/{code}/unbind',
      '/q/{plate_code}',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });
});
