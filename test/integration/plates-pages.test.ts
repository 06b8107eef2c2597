import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import { inTransaction } from '../../src/platform/db/index.js';
import { changePlate, createBlankPlates } from '../../src/merchants/plates/store.js';
import type { PlateOrderCreator, PlateOrderInput } from '../../src/merchants/plates/orders.js';
import { createMerchant, createStore } from '../../src/merchants/tenancy.js';
import { describeEachEngine } from '../support/db.js';
import { createTestApp, type TestApp } from '../support/app.js';

// GET/POST /q/{plate_code} (CONTRACT §4) with a test double for order creation (payments/ plugs
// the real one in): every plate state, both answer formats, and malformed input.
describeEachEngine('plate pages /q', (ctx) => {
  let t: TestApp;
  const calls: PlateOrderInput[] = [];
  let failWith: ApiError | undefined;
  // a test double for the payments module, swappable per test
  const recording: PlateOrderCreator = {
    createPlateOrder: async (input) => {
      if (failWith) throw failWith;
      calls.push(input);
      return {
        order_id: `ord_test${calls.length}`,
        cashier_url: `http://127.0.0.1:3000/pay/ord_test${calls.length}`,
      };
    },
  };
  let plateOrders = recording;
  const plates = {} as Record<'blank' | 'open' | 'fixed' | 'disabled' | 'suspended' | 'hostile', string>;
  let storeId: string;

  beforeAll(async () => {
    t = await createTestApp(ctx.database, {
      plateOrders: { createPlateOrder: (input) => plateOrders.createPlateOrder(input) },
    });
    const db = ctx.database.db;
    storeId = (await createStore(db, t.merchantId, 'Branch <1>', t.clock)).id;
    const institutionId = (await db.selectFrom('institutions').select('id').executeTakeFirstOrThrow()).id;
    const suspended = await createMerchant(db, { name: 'Closed Shop', institutionId }, t.clock);
    const hostile = await createMerchant(
      db,
      { name: '<script>alert("x")</script>&', institutionId },
      t.clock,
    );
    await inTransaction(db, async (tx) => {
      const open = await createBlankPlates(tx, 5, t.clock);
      const fixed = await createBlankPlates(tx, 1, t.clock, 1234);
      const [blank, openCode, disabled, suspendedCode, hostileCode] = open.codes as [
        string,
        string,
        string,
        string,
        string,
      ];
      Object.assign(plates, {
        blank,
        open: openCode,
        fixed: fixed.codes[0],
        disabled,
        suspended: suspendedCode,
        hostile: hostileCode,
      });
      const bind = (code: string, merchantId: string, store: string | null = null) =>
        changePlate(tx, code, { type: 'bind', merchantId, storeId: store }, t.clock);
      await bind(openCode, t.merchantId, storeId);
      await bind(plates.fixed, t.merchantId);
      await bind(disabled, t.merchantId);
      await changePlate(tx, disabled, { type: 'disable' }, t.clock);
      await bind(suspendedCode, suspended.id);
      await bind(hostileCode, hostile.id);
    });
    await sql`update merchants set status = 'suspended' where id = ${suspended.id}`.execute(db);
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (code: string, json = false) =>
    t.app.inject({
      method: 'GET',
      url: `/q/${code}`,
      headers: { accept: json ? 'application/json' : 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
  const postJson = (code: string, payload: string) =>
    t.app.inject({
      method: 'POST',
      url: `/q/${code}`,
      payload,
      headers: { accept: 'application/json', 'content-type': 'application/json' },
    });
  const postForm = (code: string, amount: string) =>
    t.app.inject({
      method: 'POST',
      url: `/q/${code}`,
      payload: new URLSearchParams({ amount }).toString(),
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    });

  it('shows the amount entry page of a bound plate: merchant, store, a form posting back, no outside assets', async () => {
    const res = await get(plates.open);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain('Test Shop');
    expect(res.body).toContain('Branch &lt;1&gt;');
    expect(res.body).toContain(`action="/q/${plates.open}"`);
    expect(res.body).toContain('name="amount"');
    expect(res.body).toContain('width=device-width');
    expect(res.body).not.toMatch(/<script|src=|href=|https?:\/\//i);
  });

  it('escapes a hostile merchant name', async () => {
    const res = await get(plates.hostile);
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;');
  });

  it.each([
    ['blank', 200, '此收款码尚未激活', 'not activated yet', 'not_activated'],
    ['disabled', 410, '此收款码已停用', 'disabled', 'disabled'],
    ['suspended', 403, '商户暂停收款', 'cannot accept payments', 'merchant_unavailable'],
  ] as const)(
    'shows a clear page for a %s plate and refuses to pay it',
    async (which, status, zh, en, state) => {
      const page = await get(plates[which]);
      expect(page.statusCode).toBe(status);
      expect(page.body).toContain(zh);
      expect(page.body).toContain(en);
      expect(page.body).not.toContain('<form');
      expect((await get(plates[which], true)).json()).toMatchObject({ object: 'plate_page', state });
      const before = calls.length;
      const json = await postJson(plates[which], '{"amount":100}');
      expect(json.statusCode).toBe(409);
      expect(json.json().error).toMatchObject({ code: 'state_conflict', param: 'plate_code' });
      expect((await postForm(plates[which], '1.00')).statusCode).toBe(status);
      expect(calls.length).toBe(before); // no order for a plate that cannot be paid
    },
  );

  it('answers an unknown or malformed code with a 404 page, or a 404 error object for JSON', async () => {
    for (const code of ['ABCDEFGHJKLMNPQR', 'nope', '%3Cscript%3E', 'A'.repeat(64)]) {
      const res = await get(code);
      expect(res.statusCode, code).toBe(404);
      expect(res.body).toContain('收款码不存在');
      expect(res.body).not.toContain('<script>');
    }
    const json = await postJson('ABCDEFGHJKLMNPQR', '{"amount":100}');
    expect(json.statusCode).toBe(404);
    expect(json.json().error).toMatchObject({ code: 'resource_missing', param: 'plate_code' });
  });

  it('creates an order headlessly: POST JSON { amount } answers order_id and cashier_url', async () => {
    const res = await postJson(plates.open, '{"amount":1234}');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      order_id: `ord_test${calls.length}`,
      cashier_url: expect.stringContaining('/pay/'),
    });
    expect(calls.at(-1)).toEqual({
      merchantId: t.merchantId,
      storeId,
      amountFen: 1234,
      plateCode: plates.open,
      clientIp: '127.0.0.1',
    });
  });

  it('accepts a code typed in lower case with dashes', async () => {
    const typed = plates.open.toLowerCase().replace(/(.{4})(?=.)/g, '$1-');
    expect((await get(typed)).statusCode).toBe(200);
  });

  it.each([
    ['a zero amount', '{"amount":0}', 'parameter_invalid'],
    ['a fractional amount', '{"amount":12.5}', 'parameter_invalid'],
    ['an amount as a string', '{"amount":"12"}', 'parameter_invalid'],
    ['an amount over 100 000 000', '{"amount":100000001}', 'parameter_invalid'],
    ['no amount', '{}', 'parameter_missing'],
  ])('refuses %s with 400 naming amount', async (_name, body, code) => {
    const res = await postJson(plates.open, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code, param: 'amount' });
  });

  it('refuses unknown fields and broken JSON with 400', async () => {
    const unknown = await postJson(plates.open, '{"amount":100,"tip":5}');
    expect(unknown.json().error).toMatchObject({ code: 'parameter_unknown', param: 'tip' });
    const broken = await postJson(plates.open, '{"amount":');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('body_invalid_json');
  });

  it('skips the entry for a fixed-price plate: GET goes straight to the cashier', async () => {
    const res = await get(plates.fixed);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`http://127.0.0.1:3000/pay/ord_test${calls.length}`);
    expect(calls.at(-1)).toMatchObject({ amountFen: 1234, storeId: null, plateCode: plates.fixed });
    expect((await postJson(plates.fixed, '{}')).statusCode).toBe(201);
    expect(calls.at(-1)!.amountFen).toBe(1234);
    const other = await postJson(plates.fixed, '{"amount":1}');
    expect(other.statusCode).toBe(422);
    expect(other.json().error.param).toBe('amount');
  });

  it('posts the page form in yuan and redirects to the cashier', async () => {
    const res = await postForm(plates.open, '12.34');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/\/pay\/ord_test\d+$/);
    expect(calls.at(-1)!.amountFen).toBe(1234);
    expect((await postForm(plates.open, '¥8')).statusCode).toBe(303);
    expect(calls.at(-1)!.amountFen).toBe(800);
  });

  it.each(['', '0', '0.001', 'abc', '1,000', '1000000.01', '"><script>'])(
    'shows the form again with an error for the typed amount %j',
    async (amount) => {
      const res = await postForm(plates.open, amount);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('请输入');
      expect(res.body).toContain('<form');
      expect(res.body).not.toContain('<script>');
    },
  );

  it('answers 503 "payments not available" when payments cannot take the order, and passes other errors on', async () => {
    plateOrders = {
      createPlateOrder: () => Promise.reject(new ApiError('service_unavailable', 'payments not available')),
    };
    try {
      const json = await postJson(plates.open, '{"amount":100}');
      expect(json.statusCode).toBe(503);
      expect(json.json().error).toMatchObject({
        code: 'service_unavailable',
        message: 'payments not available',
      });
      const page = await postForm(plates.open, '1');
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain('暂时无法付款');
    } finally {
      plateOrders = recording;
    }
    failWith = new ApiError('risk_rejected');
    try {
      expect((await postJson(plates.open, '{"amount":100}')).json().error.code).toBe('risk_rejected');
      const page = await postForm(plates.open, '1');
      expect(page.statusCode).toBe(402);
      expect(page.body).toContain('无法创建订单');
    } finally {
      failWith = undefined;
    }
  });

  it('never answers arbitrary bodies or codes with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.string({ maxLength: 80 }), async (code, body) => {
        const target = code.length % 2 ? plates.open : encodeURIComponent(code) || 'x';
        const res = await postJson(target, body);
        expect(res.statusCode).toBeLessThan(500);
        expect((await postForm(target, body)).statusCode).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });
});
