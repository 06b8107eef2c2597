import { afterAll, beforeAll, expect, it } from 'vitest';
import { drainBookings } from '../../src/ledger/index.js';
import { createApp } from '../../src/merchants/apps.js';
import { createMerchant } from '../../src/merchants/tenancy.js';
import {
  chinaDate,
  loadCalendar,
  settleDue,
  settleTradeDate,
  type UnresolvedMismatches,
} from '../../src/settlement/index.js';
import { describeEachEngine } from '../support/db.js';
import { KYC_APPLICATION } from '../support/kyc.js';
import { startPaymentsEnv, type PaymentsEnv } from '../support/payments.js';
import { adminClient } from '../support/admin.js';
import { merchantHttpClient } from '../support/merchant-api.js';
import type { Credentials } from '../support/signing.js';

/**
 * Settlement end to end: three merchants pay through the sandbox (WeChat and Alipay payment codes)
 * and refund some orders, fully and partly; one is on an operator hold, one has an order the risk
 * engine flagged for review. Settling the day gives each merchant net = gross − refunds − fees
 * (worked out here from the orders and refunds as the API shows them), the trial balance stays
 * balanced, the paid merchant's money moves pending → available → paid_out with the bank file,
 * the held ones are not paid, and running it again changes nothing.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read API JSON loosely
type Json = any;

describeEachEngine('settlement end to end through the sandbox', (ctx) => {
  let env: PaymentsEnv;

  const merchants: Array<{ id: string; credentials: Credentials }> = [];
  const paid = new Map<string, Array<{ id: string; amount: number }>>();
  const refunded = new Map<string, Array<{ id: string; amount: number }>>();

  const admin = adminClient(() => env.t.app);
  const signed = merchantHttpClient(
    () => env.baseUrl,
    () => merchants[0]!.credentials,
    () => env.clock,
  );
  /** the merchant API as merchant `m` */
  const api = (m: number, method: 'GET' | 'POST', url: string, body?: unknown) =>
    signed(method, url, body, merchants[m]!.credentials);
  const balance = async (m: number) => (await api(m, 'GET', '/v1/balance')).body;
  const deps = (unresolvedMismatches?: UnresolvedMismatches) => ({
    db: ctx.database.db,
    clock: env.clock,
    box: env.t.ctx.box,
    unresolvedMismatches,
  });

  beforeAll(async () => {
    env = await startPaymentsEnv(ctx.database);
    const db = ctx.database.db;
    merchants.push({ id: env.t.merchantId, credentials: env.t.credentials });
    const institution = (
      await db
        .selectFrom('merchants')
        .select('institution_id')
        .where('id', '=', env.t.merchantId)
        .executeTakeFirstOrThrow()
    ).institution_id;
    for (const name of ['Held Shop', 'Reviewed Shop']) {
      const m = await createMerchant(db, { name, institutionId: institution }, env.clock);
      merchants.push({
        id: m.id,
        credentials: await createApp(db, env.t.ctx.box, { merchantId: m.id, name: 'test' }, env.clock),
      });
    }
    // a calendar for this year and the next, if the built-in one lacks them (weekends only)
    for (const year of [
      Number(chinaDate(env.clock.now()).slice(0, 4)),
      Number(chinaDate(env.clock.now()).slice(0, 4)) + 1,
    ])
      if ((await admin('GET', `/calendar/${year}`)).status === 404)
        expect((await admin('PUT', `/calendar/${year}`, { holidays: [], workdays: [] })).status).toBe(200);
  });
  afterAll(() => env.close());

  it('pays and refunds through the sandbox; every merchant has a settlement account', async () => {
    for (const [m, merchant] of merchants.entries()) {
      const application = await admin('POST', '/onboarding', {
        ...KYC_APPLICATION,
        merchant_id: merchant.id,
        settlement_account: { ...KYC_APPLICATION.settlement_account, account_no: `62220200000000${m}1234` },
      });
      expect(application.status).toBe(201);
      const orders: Array<{ id: string; amount: number }> = [];
      for (let i = 0; i < 3; i++) {
        const wallet = (i + m) % 2 === 0 ? 'wechat' : 'alipay';
        const code = (await (
          await fetch(`${env.sandbox.url}/sandbox/paycodes`, {
            method: 'POST',
            body: JSON.stringify({ wallet, scenario: 'success' }),
          })
        ).json()) as { auth_code: string };
        const amount = 10_000 + 3_337 * (i + 1) + 101 * m;
        const res = await api(m, 'POST', '/v1/orders/micropay', {
          mch_order_no: `ST-${ctx.engine}-${m}-${i}`,
          amount,
          subject: 'settlement',
          auth_code: code.auth_code,
        });
        expect(res.body.status).toBe('succeeded');
        orders.push({ id: res.body.id, amount });
      }
      paid.set(merchant.id, orders);
      // a full refund in two parts and a partial one
      const wanted = [
        { order: orders[0]!, amount: 4_000 },
        { order: orders[0]!, amount: orders[0]!.amount - 4_000 },
        { order: orders[1]!, amount: 2_501 },
      ];
      const refunds: Array<{ id: string; amount: number }> = [];
      for (const [n, r] of wanted.entries()) {
        const res = await api(m, 'POST', '/v1/refunds', {
          order_id: r.order.id,
          mch_refund_no: `R${m}-${n}`,
          amount: r.amount,
        });
        expect(res.status).toBe(201);
        refunds.push({ id: res.body.id, amount: r.amount });
      }
      refunded.set(merchant.id, refunds);
    }
    await env.until(async () => {
      for (const [m, merchant] of merchants.entries())
        for (const r of refunded.get(merchant.id)!)
          if ((await api(m, 'GET', `/v1/refunds/${r.id}`)).body.status !== 'succeeded') return undefined;
      return true;
    }, 'the refunds to succeed');
    // the risk engine let one of the third merchant's orders through flagged for review
    await ctx.database.db
      .updateTable('orders')
      .set({ risk_flag: 'review' })
      .where('id', '=', paid.get(merchants[2]!.id)![2]!.id)
      .execute();
    const hold = await admin('POST', `/merchants/${merchants[1]!.id}/hold`, { reason: 'chargeback dispute' });
    expect(hold).toMatchObject({
      status: 201,
      body: { object: 'merchant_hold', merchant_id: merchants[1]!.id },
    });
    expect((await admin('POST', `/merchants/${merchants[1]!.id}/hold`, { reason: 'twice' })).status).toBe(
      409,
    );
  });

  it('refuses to settle before the settlement day', async () => {
    await expect(settleTradeDate(deps(), chinaDate(env.clock.now()))).rejects.toThrow(/has not come yet/);
  });

  it('settles the day: net = gross − refunds − fees, pending → available, the trial balance balanced', async () => {
    // the ledger books payments and refunds through its consumer: book what is queued first
    await drainBookings(ctx.database.db, { clock: env.clock });
    const expected = new Map<string, { gross: number; refunds: number; fees: number; net: number }>();
    for (const [m, merchant] of merchants.entries()) {
      let gross = 0;
      let fees = 0;
      let refunds = 0;
      for (const o of paid.get(merchant.id)!) {
        const order = (await api(m, 'GET', `/v1/orders/${o.id}`)).body;
        gross += order.amount;
        fees += order.fee;
      }
      for (const r of refunded.get(merchant.id)!) {
        const refund = (await api(m, 'GET', `/v1/refunds/${r.id}`)).body;
        refunds += refund.amount;
        fees -= refund.fee_refunded;
      }
      expected.set(merchant.id, { gross, refunds, fees, net: gross - refunds - fees });
      expect((await balance(m)).pending).toBe(gross - refunds - fees);
    }
    const tradeDates = new Set<string>();
    for (const list of paid.values())
      for (const o of list) {
        const row = await ctx.database.db
          .selectFrom('orders')
          .select('paid_at')
          .where('id', '=', o.id)
          .executeTakeFirstOrThrow();
        tradeDates.add(chinaDate(row.paid_at!));
      }
    const calendar = await loadCalendar(ctx.database.db);
    const settlementDate = [...tradeDates]
      .map((d) => calendar.settlementDate(d))
      .sort()
      .at(-1)!;
    env.clock.set(Date.parse(`${settlementDate}T07:00:00+08:00`));

    const mismatch = {
      id: 'mis_x',
      type: 'fee_mismatch',
      order_id: null,
      channel: 'wechatpay',
      channel_amount: 1,
      platform_amount: 2,
    };
    const result = await settleDue(deps(async () => [mismatch]));
    expect(result.waitingFor).toEqual([]);
    const settledDays = result.settled.filter((s) => s.merchants > 0);
    expect(settledDays.map((s) => s.tradeDate).sort()).toEqual([...tradeDates].sort());
    expect(settledDays[0]!.unresolvedMismatches).toEqual([mismatch]);

    for (const [m, merchant] of merchants.entries()) {
      const list = (await api(m, 'GET', '/v1/settlements')).body;
      expect(list.object).toBe('list');
      const sum = list.data.reduce(
        (a: Json, s: Json) => ({
          gross: a.gross + s.gross,
          refunds: a.refunds + s.refunds,
          fees: a.fees + s.fees,
          net: a.net + s.net,
        }),
        { gross: 0, refunds: 0, fees: 0, net: 0 },
      );
      expect(sum).toEqual(expected.get(merchant.id));
      for (const s of list.data) {
        expect(s).toMatchObject({
          object: 'settlement',
          merchant_id: merchant.id,
          settlement_date: settlementDate,
        });
        expect(s.net).toBe(s.gross - s.refunds - s.fees);
        expect(s).not.toHaveProperty('hold_reason');
        expect(s.status).toBe(m === 0 ? 'paying' : 'held');
      }
      const b = await balance(m);
      const net = expected.get(merchant.id)!.net;
      // the paid merchant's net went on to paid_out with the payout; the held ones wait in available
      expect(b).toMatchObject(
        m === 0 ? { pending: 0, available: 0, paid_out: net } : { pending: 0, available: net, paid_out: 0 },
      );
    }
    const reasons = (
      await admin('GET', `/settlements?settlement_date=${settlementDate}&status=held`)
    ).body.data.map((s: Json) => [s.merchant_id, s.hold_reason]);
    expect(reasons.sort()).toEqual(
      [
        [merchants[1]!.id, 'operator_hold'],
        [merchants[2]!.id, 'risk_review'],
      ].sort(),
    );
    const tb = (await admin('GET', '/ledger/trial-balance')).body;
    expect(tb.total_debit).toBe(tb.total_credit);

    // the bank file: the paid merchant only, its full account number, amount in yuan
    const csv = await admin('GET', `/payouts/${settlementDate}.csv`);
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('account_name,account_number,bank,amount,reference');
    expect(lines).toHaveLength(2);
    const [name, number, bank, amount, reference] = lines[1]!.split(',');
    expect([name, number, bank]).toEqual([
      KYC_APPLICATION.settlement_account.account_name,
      '62220200000000' + '01234',
      KYC_APPLICATION.settlement_account.bank_name,
    ]);
    expect(amount).toBe((expected.get(merchants[0]!.id)!.net / 100).toFixed(2));
    expect(reference).toMatch(/^po_/);

    // the report of a trade date: one line per merchant
    const report = await admin('GET', `/settlements.csv?date=${settledDays[0]!.tradeDate}`);
    expect((report.body as string).trim().split('\r\n').length).toBeGreaterThanOrEqual(2);
    const listed = await admin('GET', `/settlements?date=${settledDays[0]!.tradeDate}&limit=1`);
    expect(listed.body).toMatchObject({
      object: 'list',
      has_more: settledDays[0]!.merchants > 1,
      run: { status: 'completed' },
      unresolved_mismatches: [],
    });
  });

  it('party share statements agree with the ledger revenue of the same days', async () => {
    const days = (await admin('GET', '/settlements?limit=100')).body.data
      .map((s: Json) => s.trade_date)
      .sort();
    const range = `from=${days[0]}&to=${days.at(-1)}`;
    const statements = (await admin('GET', `/statements?${range}`)).body;
    // everything was paid and refunded within these days, so by trade date = by booking time
    const revenue = (await admin('GET', `/revenue?${range}`)).body.parties;
    const byParty = (lines: Json[], amount: string) =>
      lines
        .map((l: Json) => `${l.party}:${l.id}:${l[amount]}`)
        .filter((l: string) => !l.endsWith(':0'))
        .sort();
    expect(byParty(statements.data, 'share')).toEqual(byParty(revenue, 'amount'));
    expect(statements.data.find((l: Json) => l.party === 'institution').trades).toBe(9);
    const csv = await admin('GET', `/statements.csv?${range}`);
    expect((csv.body as string).split('\r\n')[0]).toBe('party,id,from,to,trades,amount,fees,share');
    expect((await admin('GET', '/statements?from=2026-12-05&to=2026-12-01')).status).toBe(400);
  });

  it('running it again changes nothing', async () => {
    const count = async () =>
      Number(
        (
          await ctx.database.db
            .selectFrom('ledger_entries')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const again = await settleDue(deps());
    expect(again.settled).toEqual([]);
    expect(again.payouts?.created).toBe(0);
    for (const d of (await admin('GET', '/settlements?limit=100')).body.data.map((s: Json) => s.trade_date))
      expect((await settleTradeDate(deps(), d)).settledNow).toBe(false);
    expect(await count()).toBe(before);
  });

  it('moves a payout paying → failed → paying → paid, and a released hold is paid the next working day', async () => {
    const payout = (await admin('GET', '/payouts?status=paying')).body.data[0];
    expect((await admin('POST', `/payouts/${payout.id}/retry`)).status).toBe(409);
    expect(
      (await admin('POST', `/payouts/${payout.id}/failed`, { reason: 'account frozen' })).body.status,
    ).toBe('failed');
    expect((await api(0, 'GET', '/v1/settlements')).body.data[0].status).toBe('failed');
    expect((await admin('POST', `/payouts/${payout.id}/retry`)).body).toMatchObject({
      status: 'paying',
      attempts: 2,
    });
    expect((await admin('POST', `/payouts/${payout.id}/paid`)).body.status).toBe('paid');
    expect((await api(0, 'GET', '/v1/settlements')).body.data[0].status).toBe('paid');

    // the hold is released; the next working day's payouts pay that merchant, and its bank returns it
    expect((await admin('DELETE', `/merchants/${merchants[1]!.id}/hold`)).body.released_at).not.toBeNull();
    const calendar = await loadCalendar(ctx.database.db);
    const next = calendar.addWorkingDays(chinaDate(env.clock.now()), 1);
    env.clock.set(Date.parse(`${next}T07:00:00+08:00`));
    const run = await settleDue(deps());
    expect(run.payouts?.created).toBe(1);
    const held = await balance(1);
    expect(held.available).toBe(0);
    const second = (await admin('GET', `/payouts?settlement_date=${next}`)).body.data[0];
    expect(second.merchant_id).toBe(merchants[1]!.id);
    await admin('POST', `/payouts/${second.id}/failed`, { reason: 'account closed' });
    expect(
      (await admin('POST', `/payouts/${second.id}/return`, { reason: 'account closed' })).body.status,
    ).toBe('returned');
    expect(await balance(1)).toMatchObject({ available: held.paid_out, paid_out: 0 });
    expect(
      (await api(1, 'GET', '/v1/settlements')).body.data.every((s: Json) => s.status === 'pending'),
    ).toBe(true);
    // the reviewed merchant stays held until an operator closes the review
    expect((await balance(2)).paid_out).toBe(0);
    const tb = (await admin('GET', '/ledger/trial-balance')).body;
    expect(tb.total_debit).toBe(tb.total_credit);
    const audit = (await admin('GET', `/audit-log?object_id=${second.id}`)).body;
    expect(audit.data.map((a: Json) => a.action)).toEqual(['payout.return', 'payout.failed']);
  });
});
