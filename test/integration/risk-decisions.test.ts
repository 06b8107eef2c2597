import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../support/db.js';
import { startPaymentsEnv, type PaymentsEnv } from '../support/payments.js';
import { adminCall, wechatCashierAs, wechatCashierPageAs, type Json } from '../support/risk.js';

/** CONTRACT §8 in embedded mode (in-process cache): lists, velocity, CEL rules, the decision log. */
describeEachEngine('risk: inline decisions', (ctx) => {
  let env: PaymentsEnv;
  let n = 0;
  beforeAll(async () => {
    env = await startPaymentsEnv(ctx.database);
  });
  afterAll(() => env.close());

  const admin = (method: string, path: string, body?: unknown) => adminCall(env.baseUrl, method, path, body);
  const order = (extra: Record<string, unknown> = {}) =>
    env.api('POST', '/v1/orders', { mch_order_no: `R-${++n}`, amount: 1000, subject: 'Tea', ...extra });
  const decisions = async (query: string): Promise<Json[]> =>
    (await admin('GET', `/risk/decisions?${query}`)).body.data;

  it('a blocked IP is refused with 402 risk_error until the entry is removed; CIDR ranges match', async () => {
    const entry = await admin('POST', '/risk/lists/block/entries', {
      type: 'ip',
      value: '203.0.113.7',
      reason: 'fraud',
    });
    expect(entry.status).toBe(201);
    expect(entry.body).toMatchObject({ object: 'risk_list_entry', list: 'block', type: 'ip' });
    expect(entry.body.id).toMatch(/^rle_/);
    const refused = await order({ client_ip: '203.0.113.7' });
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({ type: 'risk_error', code: 'risk_rejected' });
    expect((await order({ client_ip: '203.0.113.8' })).status).toBe(201);
    expect((await admin('DELETE', `/risk/lists/block/entries/${entry.body.id}`)).status).toBe(200);
    expect((await order({ client_ip: '203.0.113.7' })).status).toBe(201);

    const range = await admin('POST', '/risk/lists/block/entries', { type: 'ip', value: '198.51.100.0/24' });
    expect((await order({ client_ip: '198.51.100.200' })).status).toBe(402);
    expect((await order({ client_ip: '198.51.101.1' })).status).toBe(201);
    await admin('DELETE', `/risk/lists/block/entries/${range.body.id}`);
  });

  it('block beats allow beats review', async () => {
    const allow = await admin('POST', '/risk/lists/allow/entries', { type: 'device', value: 'dev-vip' });
    const review = await admin('POST', '/risk/lists/review/entries', { type: 'device', value: 'dev-vip' });
    const allowed = await order({ device_id: 'dev-vip' });
    expect(allowed.status).toBe(201);
    const row = await ctx.database.db
      .selectFrom('orders')
      .select(['risk_flag'])
      .where('id', '=', allowed.body.id)
      .executeTakeFirstOrThrow();
    expect(row.risk_flag).toBeNull(); // allow beats review
    const block = await admin('POST', '/risk/lists/block/entries', { type: 'ip', value: '192.0.2.9' });
    expect((await order({ device_id: 'dev-vip', client_ip: '192.0.2.9' })).status).toBe(402); // block beats allow
    for (const e of [allow, review]) await admin('DELETE', `/risk/lists/${e.body.list}/entries/${e.body.id}`);
    await admin('DELETE', `/risk/lists/block/entries/${block.body.id}`);
  });

  it('count("ip", "60s") > 5 refuses the 6th order from one IP within a minute, not another IP', async () => {
    const rule = await admin('POST', '/risk/rules', {
      name: 'ip burst',
      scene: 'payment',
      expression: 'count("ip", "60s") > 5',
      action: 'reject',
      mode: 'active',
    });
    expect(rule.status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await order({ client_ip: '10.1.1.1' })).status).toBe(201);
    expect((await order({ client_ip: '10.1.1.1' })).status).toBe(402);
    expect((await order({ client_ip: '10.1.1.2' })).status).toBe(201);
    env.clock.advance(61_000); // the window slides on the injected clock
    expect((await order({ client_ip: '10.1.1.1' })).status).toBe(201);
    const log = await decisions('subject=10.1.1.1&decision=reject');
    expect(log[0].reasons).toEqual([{ rule_id: rule.body.id, name: 'ip burst' }]);
    expect(log[0].inputs.velocity[`count:ip:60000`]).toBe(6);
    expect(log[0].latency_us).toBeGreaterThan(0);
    await admin('DELETE', `/risk/rules/${rule.body.id}`);
  });

  it('a shadow rule is evaluated and logged but never refuses; a review rule flags the order', async () => {
    const shadow = await admin('POST', '/risk/rules', {
      name: 'big amount (trial)',
      scene: 'payment',
      expression: 'payment.amount >= 5000',
      action: 'reject',
      mode: 'shadow',
    });
    const review = await admin('POST', '/risk/rules', {
      name: 'new device',
      scene: 'payment',
      expression: 'payment.device == "dev-new"',
      action: 'review',
      mode: 'active',
      priority: 10,
    });
    const big = await order({ amount: 9000, client_ip: '10.9.9.9' });
    expect(big.status).toBe(201);
    const [logged] = await decisions('subject=10.9.9.9');
    expect(logged.decision).toBe('accept');
    expect(logged.rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule_id: shadow.body.id, mode: 'shadow', result: true }),
        expect.objectContaining({ rule_id: review.body.id, result: false }),
      ]),
    );
    const flagged = await order({ device_id: 'dev-new' });
    expect(flagged.status).toBe(201);
    const row = await ctx.database.db
      .selectFrom('orders')
      .select(['risk_flag', 'risk_decision_id', 'device_id'])
      .where('id', '=', flagged.body.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ risk_flag: 'review', device_id: 'dev-new' });
    expect(row.risk_decision_id).toMatch(/^rdc_/);
    for (const r of [shadow, review]) await admin('DELETE', `/risk/rules/${r.body.id}`);
  });

  it('rules are versioned: a change keeps the old version, a bad expression is 422 with the position', async () => {
    const bad = await admin('POST', '/risk/rules', {
      name: 'oops',
      scene: 'payment',
      expression: 'payment.amount > 100 &&',
      action: 'reject',
      mode: 'active',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ param: 'expression' });
    expect(bad.body.error.message).toMatch(/position 23/);
    const unknownField = await admin('POST', '/risk/rules', {
      name: 'typo',
      scene: 'payment',
      expression: 'payment.amont > 1',
      action: 'reject',
      mode: 'active',
    });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.error.message).toMatch(/amont.*position 8/);
    const badWindow = await admin('POST', '/risk/rules', {
      name: 'w',
      scene: 'payment',
      expression: 'count("ip", "2d") > 1',
      action: 'reject',
      mode: 'active',
    });
    expect(badWindow.status).toBe(422);

    const rule = await admin('POST', '/risk/rules', {
      name: 'limit',
      scene: 'payment',
      expression: 'payment.amount > 50000',
      action: 'reject',
      mode: 'active',
    });
    expect((await order({ amount: 60_000 })).status).toBe(402);
    const patched = await admin('PATCH', `/risk/rules/${rule.body.id}`, {
      expression: 'payment.amount > 70000',
    });
    expect(patched.body.version).toBe(2);
    expect((await order({ amount: 60_000 })).status).toBe(201);
    const got = await admin('GET', `/risk/rules/${rule.body.id}`);
    expect(got.body.versions.map((v: Json) => v.expression)).toEqual([
      'payment.amount > 70000',
      'payment.amount > 50000',
    ]);
    await admin('DELETE', `/risk/rules/${rule.body.id}`);
    expect((await admin('GET', `/risk/rules/${rule.body.id}`)).status).toBe(404);
  });

  it('a blocked WeChat payer is refused in the cashier after OAuth: the refused action, the refusal page', async () => {
    await admin('POST', '/risk/lists/block/entries', { type: 'payer', value: 'wechatpay:oBlockedPayer01' });
    const blocked = await order();
    const refused = await wechatCashierAs(env.baseUrl, blocked.body.id, 'oBlockedPayer01');
    expect(refused).toMatchObject({
      status: 200,
      wallet: 'wechat',
      action: { type: 'refused', reason: 'risk' },
    });
    const other = await order();
    const ok = await wechatCashierAs(env.baseUrl, other.body.id, 'oGoodPayer0001');
    expect(ok.action.type).toBe('wechat_jsapi');
    const html = await fetch(`${env.baseUrl}/pay/${blocked.body.id}`, {
      headers: { 'user-agent': 'Mozilla/5.0 MicroMessenger/8.0.47' },
      redirect: 'manual',
    });
    expect(html.status).toBe(302); // a new browser is sent to OAuth first: no payer known yet
    const page = await wechatCashierPageAs(env.baseUrl, blocked.body.id, 'oBlockedPayer01');
    expect(page.html).toContain('declined by our risk controls');
    const fine = await wechatCashierPageAs(env.baseUrl, other.body.id, 'oGoodPayer0001');
    expect(fine.status).toBe(200);
    expect(fine.html).not.toContain('declined by our risk controls');
  });

  it('merchant scenes: events feed the counters that /v1/risk/decide rules read', async () => {
    await admin('POST', '/risk/rules', {
      name: 'login storm',
      scene: 'login',
      expression: 'count("device", "1h") > 3 && event.attributes["channel"] == "app"',
      action: 'review',
      mode: 'active',
    });
    for (let i = 0; i < 3; i++) {
      const ev = await env.api('POST', '/v1/risk/events', {
        type: 'login',
        customer_id: 'c1',
        device_id: 'd-storm',
      });
      expect(ev.status).toBe(201);
      expect(ev.body).toMatchObject({ object: 'risk_event', type: 'login' });
    }
    const decided = await env.api('POST', '/v1/risk/decide', {
      scene: 'login',
      customer_id: 'c1',
      device_id: 'd-storm',
      attributes: { channel: 'app' },
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ object: 'risk_decision', decision: 'review' });
    expect(decided.body.id).toMatch(/^rdc_/);
    const calm = await env.api('POST', '/v1/risk/decide', {
      scene: 'login',
      customer_id: 'c2',
      device_id: 'd-calm',
    });
    expect(calm.body.decision).toBe('accept');
    const bad = await env.api('POST', '/v1/risk/decide', { scene: 'Bad Scene', customer_id: 'c1' });
    expect(bad.status).toBe(400);
  });

  it('bad list input is a 4xx, never a 5xx', async () => {
    expect(
      (await admin('POST', '/risk/lists/block/entries', { type: 'ip', value: 'not-an-ip' })).status,
    ).toBe(422);
    expect((await admin('POST', '/risk/lists/nope/entries', { type: 'ip', value: '1.2.3.4' })).status).toBe(
      400,
    );
    expect((await admin('POST', '/risk/lists/block/entries', { type: 'payer', value: 'x' })).status).toBe(
      422,
    );
    const past = await admin('POST', '/risk/lists/block/entries', {
      type: 'device',
      value: 'd',
      expires_at: '2000-01-01T00:00:00Z',
    });
    expect(past.status).toBe(422);
    expect((await admin('GET', '/risk/decisions?decision=maybe')).status).toBe(400);
  });
});

/** Scene refund, on both engines. */
describeEachEngine('risk: refund decisions', (ctx) => {
  let env: PaymentsEnv;
  beforeAll(async () => {
    env = await startPaymentsEnv(ctx.database);
  }, 180_000);
  afterAll(() => env.close(), 60_000);
  const admin = (method: string, path: string, body?: unknown) => adminCall(env.baseUrl, method, path, body);

  it('scene refund: a review rule lets the refund through flagged (stored on it), a reject rule refuses it', async () => {
    const code = (await (
      await fetch(`${env.sandbox.url}/sandbox/paycodes`, {
        method: 'POST',
        body: JSON.stringify({ wallet: 'wechat', scenario: 'success' }),
      })
    ).json()) as { auth_code: string };
    const paid = await env.api('POST', '/v1/orders/micropay', {
      mch_order_no: `RF-${Date.now()}`,
      amount: 1000,
      subject: 'Tea',
      auth_code: code.auth_code,
    });
    expect(paid.body).toMatchObject({ status: 'succeeded' });
    const review = await admin('POST', '/risk/rules', {
      name: 'big refund',
      scene: 'refund',
      expression: 'event.amount >= 300',
      action: 'review',
      mode: 'active',
    });
    const reject = await admin('POST', '/risk/rules', {
      name: 'huge refund',
      scene: 'refund',
      expression: 'event.amount >= 900',
      action: 'reject',
      mode: 'active',
    });
    const refund = (no: string, amount: number) =>
      env.api('POST', '/v1/refunds', { order_id: paid.body.id, mch_refund_no: no, amount });
    const refused = await refund('rf-huge', 950);
    expect(refused.status).toBe(402);
    const small = await refund('rf-small', 100);
    const big = await refund('rf-big', 400);
    expect([small.status, big.status]).toEqual([201, 201]);
    const rows = await ctx.database.db
      .selectFrom('refunds')
      .select(['id', 'risk_flag', 'risk_decision_id'])
      .where('id', 'in', [small.body.id, big.body.id])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(small.body.id)?.risk_flag).toBeNull();
    expect(byId.get(big.body.id)?.risk_flag).toBe('review');
    expect(byId.get(big.body.id)?.risk_decision_id).toMatch(/^rdc_/);
    for (const r of [review, reject]) await admin('DELETE', `/risk/rules/${r.body.id}`);
  });
});
