import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServiceProvider } from '../../src/merchants/tenancy.js';
import { drainBookings } from '../../src/ledger/index.js';
import { adminClient } from '../support/admin.js';
import { describeEachEngine } from '../support/db.js';
import { latePayment, startPaymentsEnv, type PaymentsEnv } from '../support/payments.js';

/**
 * Money end to end: orders of random amounts paid through the sandbox (WeChat and Alipay payment
 * codes), some refunded fully and some partly, then the balance, its transactions, order.fee,
 * refund.fee_refunded, revenue by party and the trial balance compared with figures this test
 * works out on its own from the plans (plain arithmetic, not the fees module).
 */

/** a small seeded generator, so a failure replays */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}
const halfUp = (n: number, d: number) => Math.floor((2 * n + d) / (2 * d)); // n ≥ 0, exact below 2^52

const COSTS = { wechatpay: 1800, alipay: 2100 }; // the provider's pricing (the default differs)
const RATES = { wechatpay: 3800, alipay: 1500 }; // Alipay below cost: the institution absorbs it
const SHARES = { service_provider: 400_000, bank: 350_000 };

describeEachEngine('ledger end to end through the sandbox', (ctx) => {
  let env: PaymentsEnv;
  let providerId = '';
  let institutionId = '';
  const admin = adminClient(() => env.t.app);

  beforeAll(async () => {
    env = await startPaymentsEnv(ctx.database);
    const db = ctx.database.db;
    const m = await db
      .selectFrom('merchants')
      .selectAll()
      .where('id', '=', env.t.merchantId)
      .executeTakeFirstOrThrow();
    institutionId = m.institution_id;
    providerId = (await createServiceProvider(db, institutionId, 'Ledger ISV', env.clock)).id;
    await db
      .updateTable('merchants')
      .set({ service_provider_id: providerId })
      .where('id', '=', m.id)
      .execute();
  });
  afterAll(() => env.close());
  /** books what payments and refunds queued (the server's consumer does it every 200 ms) */
  const book = () => drainBookings(ctx.database.db, { clock: env.clock });

  it('sets pricing and plans through the admin API, refusing bad input with 4xx', async () => {
    const defaults = {
      channel_costs: { wechatpay: 2000, alipay: 2300 },
      margin_shares: { service_provider: 500_000, bank: 300_000 },
    };
    expect((await admin('PUT', '/pricing/default', defaults)).status).toBe(200);
    const own = await admin('PUT', `/pricing/${providerId}`, { channel_costs: COSTS, margin_shares: SHARES });
    expect(own).toMatchObject({ status: 200, body: { object: 'pricing', owner: providerId } });
    const plan = await admin('PUT', `/merchants/${env.t.merchantId}/fee-plan`, { rates: RATES });
    expect(plan).toMatchObject({ status: 200, body: { object: 'fee_plan', rates: RATES } });
    expect(
      (
        await admin('PUT', '/pricing/default', {
          ...defaults,
          margin_shares: { service_provider: 800_000, bank: 300_000 },
        })
      ).status,
    ).toBe(422);
    expect(
      (await admin('PUT', `/merchants/${env.t.merchantId}/fee-plan`, { rates: { wechatpay: -1 } })).status,
    ).toBe(400);
    expect(
      (await admin('PUT', '/merchants/mch_00000000000000000000000000/fee-plan', { rates: {} })).status,
    ).toBe(404);
    for (const query of [
      'from=2026-13-01&to=2026-12-01',
      'from=2026-02-31&to=2026-03-01',
      'from=2026-12-05&to=2026-12-01',
      'from=x',
    ])
      expect((await admin('GET', `/revenue?${query}`)).body.error.code).toMatch(/^parameter_/);
    expect((await admin('GET', '/ledger/entries?source=DROP')).status).toBe(400);
    expect((await env.api('GET', '/v1/balance/transactions?limit=0')).status).toBe(400);
    expect((await env.api('GET', '/v1/balance/transactions?starting_after=ord_x')).status).toBe(400);
  });

  it('books payments and refunds exactly as the plans say', async () => {
    const random = prng(ctx.engine === 'pglite' ? 7 : 8);
    const paid: Array<{ id: string; channel: 'wechatpay' | 'alipay'; amount: number }> = [];
    for (let i = 0; i < 8; i++) {
      const wallet = i % 2 === 0 ? 'wechat' : 'alipay';
      const amount = 1 + Math.floor(random() * 2_000_000);
      const code = (await (
        await fetch(`${env.sandbox.url}/sandbox/paycodes`, {
          method: 'POST',
          body: JSON.stringify({ wallet, scenario: 'success' }),
        })
      ).json()) as { auth_code: string };
      const res = await env.api('POST', '/v1/orders/micropay', {
        mch_order_no: `LG-${ctx.engine}-${i}`,
        amount,
        subject: 'ledger',
        auth_code: code.auth_code,
      });
      expect(res.body.status).toBe('succeeded');
      paid.push({ id: res.body.id, channel: wallet === 'wechat' ? 'wechatpay' : 'alipay', amount });
    }
    // a plan change after payment alters nothing already paid (rates are fixed on the order)
    await admin('PUT', `/merchants/${env.t.merchantId}/fee-plan`, {
      rates: { wechatpay: 9000, alipay: 9000 },
    });

    // refunds: orders 0 and 1 fully (in two parts), 2 and 3 partly, the rest not at all
    const refunds: Array<{ order: number; amount: number; id?: string }> = [];
    for (const [k, o] of paid.entries()) {
      if (k > 3) break;
      const first = Math.max(1, Math.floor(o.amount * (0.2 + random() * 0.5)));
      refunds.push({ order: k, amount: first });
      if (k < 2) refunds.push({ order: k, amount: o.amount - first });
    }
    for (const [n, r] of refunds.entries()) {
      const res = await env.api('POST', '/v1/refunds', {
        order_id: paid[r.order]!.id,
        mch_refund_no: `R${n}`,
        amount: r.amount,
      });
      expect(res.status).toBe(201);
      r.id = res.body.id;
    }
    await env.eventually(async () => {
      await env.runJobs();
      await env.sandbox.advance(15_000);
      const states = await Promise.all(
        refunds.map(async (r) => (await env.api('GET', `/v1/refunds/${r.id}`)).body.status),
      );
      return states.every((s) => s === 'succeeded') ? true : undefined;
    }, 'the refunds to succeed');

    // — the expected figures, worked out here —
    let pending = 0;
    const income = { institution: 0, bank: 0, service_provider: 0 };
    const receivable = { wechatpay: 0, alipay: 0 };
    const expectedFee: number[] = [];
    const parts = paid.map((o) => {
      const fee = halfUp(o.amount * RATES[o.channel], 1e6);
      const cost = halfUp(o.amount * COSTS[o.channel], 1e6);
      const margin = fee - cost;
      const provider = margin > 0 ? halfUp(margin * SHARES.service_provider, 1e6) : 0;
      const bank = margin > 0 ? halfUp(margin * SHARES.bank, 1e6) : 0;
      return { fee, cost, provider, bank, institution: margin - provider - bank };
    });
    for (const [k, o] of paid.entries()) {
      const p = parts[k]!;
      expectedFee.push(p.fee);
      pending += o.amount - p.fee;
      income.institution += p.institution;
      income.bank += p.bank;
      income.service_provider += p.provider;
      receivable[o.channel] += o.amount - p.cost;
    }
    const refundedSoFar = paid.map(() => 0);
    const expectedFeeRefunded: number[] = [];
    for (const r of refunds) {
      const o = paid[r.order]!;
      const p = parts[r.order]!;
      const before = refundedSoFar[r.order]!;
      const after = before + r.amount;
      const back = (v: number) => halfUp(v * after, o.amount) - halfUp(v * before, o.amount);
      // the parts of a negative margin scale the same way (institution = fee − cost − shares)
      const fee = back(p.fee);
      const cost = back(p.cost);
      const provider = back(p.provider);
      const bank = back(p.bank);
      refundedSoFar[r.order] = after;
      expectedFeeRefunded.push(fee);
      pending -= r.amount - fee;
      income.service_provider -= provider;
      income.bank -= bank;
      income.institution -= fee - cost - provider - bank;
      receivable[o.channel] -= r.amount - cost;
    }

    // order.fee and refund.fee_refunded
    for (const [k, o] of paid.entries())
      expect((await env.api('GET', `/v1/orders/${o.id}`)).body.fee).toBe(expectedFee[k]);
    for (const [n, r] of refunds.entries())
      expect((await env.api('GET', `/v1/refunds/${r.id}`)).body.fee_refunded).toBe(expectedFeeRefunded[n]);
    // the full refunds of orders 0 and 1 returned their whole fee
    for (const k of [0, 1])
      expect(
        refunds
          .flatMap((r, n) => (r.order === k ? [expectedFeeRefunded[n]!] : []))
          .reduce((a, b) => a + b, 0),
      ).toBe(expectedFee[k]);

    // booking is deferred: until the consumer runs, the balance lags behind the orders
    expect((await env.api('GET', '/v1/balance')).body.pending).toBe(0);
    expect(await book()).toBe(paid.length + refunds.length);
    const balance = await env.api('GET', '/v1/balance');
    expect(balance.body).toEqual({ object: 'balance', currency: 'CNY', pending, available: 0, paid_out: 0 });
    expect(await book()).toBe(0); // nothing left, nothing booked twice

    const txs = await env.api('GET', '/v1/balance/transactions?limit=100');
    expect(txs.body.has_more).toBe(false);
    const data = txs.body.data as Array<{
      type: string;
      amount: number;
      fee: number;
      net: number;
      source: string;
      id: string;
    }>;
    expect(
      data
        .filter((t) => t.type === 'payment')
        .map((t) => t.source)
        .sort(),
    ).toEqual(paid.map((o) => o.id).sort());
    expect(data.filter((t) => t.type === 'refund')).toHaveLength(refunds.length);
    expect(data.reduce((a, t) => a + t.net, 0)).toBe(pending);
    for (const t of data) expect(t.net).toBe(t.amount - t.fee);
    const page = await env.api('GET', '/v1/balance/transactions?limit=3');
    expect(page.body).toMatchObject({ has_more: true });
    const next = await env.api(
      'GET',
      `/v1/balance/transactions?limit=100&starting_after=${page.body.data[2].id}`,
    );
    expect(next.body.data).toHaveLength(data.length - 3);

    const day = env.clock.now().toISOString().slice(0, 10);
    const prev = new Date(env.clock.nowMs() - 86_400_000).toISOString().slice(0, 10);
    const nextDay = new Date(env.clock.nowMs() + 86_400_000).toISOString().slice(0, 10);
    const revenue = await admin('GET', `/revenue?from=${prev}&to=${nextDay}`);
    expect(revenue.body.object).toBe('revenue');
    expect(revenue.body.parties).toEqual(
      expect.arrayContaining([
        { party: 'institution', id: institutionId, amount: income.institution },
        { party: 'bank', id: institutionId, amount: income.bank },
        { party: 'service_provider', id: providerId, amount: income.service_provider },
      ]),
    );
    expect((await admin('GET', `/revenue?from=${day}&to=${day}`)).status).toBe(200);

    const trial = (await admin('GET', '/ledger/trial-balance')).body;
    expect(trial.total_debit).toBe(trial.total_credit);
    const line = (account: string) => trial.accounts.find((a: { account: string }) => a.account === account);
    expect(line(`merchant_pending:${env.t.merchantId}`)).toEqual({
      account: `merchant_pending:${env.t.merchantId}`,
      debit: 0,
      credit: pending,
    });
    expect(line('channel_receivable:wechatpay')).toEqual({
      account: 'channel_receivable:wechatpay',
      debit: receivable.wechatpay,
      credit: 0,
    });
    expect(line('channel_receivable:alipay')).toEqual({
      account: 'channel_receivable:alipay',
      debit: receivable.alipay,
      credit: 0,
    });

    const entries = (await admin('GET', `/ledger/entries?source=${paid[0]!.id}`)).body;
    expect(entries.data).toHaveLength(1);
    const postings = entries.data[0].postings as Array<{ debit: number; credit: number }>;
    expect(postings.reduce((a, p) => a + p.debit - p.credit, 0)).toBe(0);
  });

  it('books a manual adjustment with its reason, audited, and it moves the balance', async () => {
    const before = (await env.api('GET', '/v1/balance')).body.pending;
    const res = await admin('POST', '/ledger/adjustments', {
      debit_account: 'suspense:adjustments',
      credit_account: `merchant_pending:${env.t.merchantId}`,
      amount: 123,
      reason: 'goodwill credit',
    });
    expect(res.status).toBe(201);
    expect((await env.api('GET', '/v1/balance')).body.pending).toBe(before + 123);
    const audit = await ctx.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'ledger.adjust')
      .execute();
    expect(audit).toHaveLength(1);
    const bad = await admin('POST', '/ledger/adjustments', {
      debit_account: 'nope',
      credit_account: 'suspense:x',
      amount: 1,
      reason: 'typo',
    });
    expect(bad.status).toBe(400);
    const trial = (await admin('GET', '/ledger/trial-balance')).body;
    expect(trial.total_debit).toBe(trial.total_credit);
  });

  it('holds a late payment in suspense, then books it for the merchant when an operator recovers it', async () => {
    await admin('PUT', `/merchants/${env.t.merchantId}/fee-plan`, { rates: { unionpay: 3000 } });
    const before = (await env.api('GET', '/v1/balance')).body.pending;
    const { order, exception } = await latePayment(env, { mch_order_no: 'LATE-LEDGER', amount: 10_000 });
    const held = (await admin('GET', `/ledger/entries?source=${order.id}`)).body.data;
    expect(held.map((e: { type: string }) => e.type)).toEqual(['late_payment_received']);
    expect((await env.api('GET', '/v1/balance')).body.pending).toBe(before); // not the merchant's yet
    const resolved = await admin('POST', `/payment-exceptions/${exception.id}/resolve`, {
      resolution: 'customer confirmed',
      outcome: 'recovered',
    });
    expect(resolved.status).toBe(200);
    await book();
    // 0.30 % of 100.00 yuan = 30 fen; the provider's pricing has no UnionPay cost
    expect((await env.api('GET', '/v1/balance')).body.pending).toBe(before + 10_000 - 30);
    const entries = (await admin('GET', `/ledger/entries?source=${order.id}`)).body.data;
    expect(entries.map((e: { type: string }) => e.type)).toEqual([
      'late_payment_received',
      'late_payment_recovered',
    ]);
    const trial = (await admin('GET', '/ledger/trial-balance')).body;
    expect(trial.total_debit).toBe(trial.total_credit);
    expect(trial.accounts.find((a: { account: string }) => a.account === 'suspense:late_payment')).toEqual({
      account: 'suspense:late_payment',
      debit: 0,
      credit: 0,
    });
  });
});
