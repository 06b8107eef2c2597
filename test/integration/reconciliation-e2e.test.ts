import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { orderRecovery } from '../../src/payments/recover-order.js';
import {
  reconcileDay,
  ReconciliationBusyError,
  unresolvedMismatches,
} from '../../src/reconciliation/index.js';
import { beginReconciliation } from '../../src/reconciliation/store.js';
import { TEST_ADMIN_TOKEN } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { startPaymentsEnv, type PaymentsEnv } from '../support/payments.js';

/**
 * Issue 14 end to end: a day of payments on WeChat Pay, Alipay and UnionPay through the sandbox,
 * partial and full refunds, one trade made at WeChat behind JuhePay's back, one UnionPay
 * notification dropped (fault drop_notify) and one Alipay fee altered at the channel. The day's
 * reconciliation of each channel, its bill downloaded through the adapter, finds exactly those
 * three mismatches; the dropped one is recovered on its own. The sandbox charges the pricing's
 * channel costs (set on both sides from the same figures), so every honest row matches its fee.
 */

const COSTS = { wechatpay: 2500, alipay: 2100, unionpay: 1800 };

describeEachEngine('reconciliation end to end through the sandbox', (ctx) => {
  let env: PaymentsEnv;

  beforeAll(async () => {
    env = await startPaymentsEnv(ctx.database);
  });
  afterAll(() => env?.close());

  const admin = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) => {
    const res = await env.t.app.inject({
      method,
      url: `/admin/v1${url}`,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const sandbox = async (method: 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => {
    const res = await fetch(`${env.sandbox.url}${url}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(json)).toBeLessThan(300);
    return json;
  };
  const paycode = async (wallet: 'wechat' | 'alipay') =>
    ((await sandbox('POST', '/sandbox/paycodes', { wallet, scenario: 'success' })) as { auth_code: string })
      .auth_code;
  const micropay = async (wallet: 'wechat' | 'alipay', no: string, amount: number) => {
    const res = await env.api('POST', '/v1/orders/micropay', {
      mch_order_no: no,
      amount,
      subject: 'recon',
      auth_code: await paycode(wallet),
    });
    expect(res.body.status, JSON.stringify(res.body)).toBe('succeeded');
    return res.body.id as string;
  };
  const orderStatus = async (id: string) =>
    (
      await ctx.database.db
        .selectFrom('orders')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;
  const unionpay = async (no: string, amount: number) => {
    const created = await env.api('POST', '/v1/orders', {
      mch_order_no: no,
      amount,
      subject: 'recon',
      pay_way: 'unionpay_qr',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await sandbox('POST', '/sandbox/unionpay/pay', { order_id: created.body.id.slice(4) });
    return created.body.id as string;
  };
  const refund = async (orderId: string, no: string, amount: number) => {
    const res = await env.api('POST', '/v1/refunds', { order_id: orderId, mch_refund_no: no, amount });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const deps = () => ({ ...env.t.ctx, recoverOrder: orderRecovery(env.t.ctx) });
  const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

  it('reconciles a day on three channels to exactly its three mismatches, one recovered on its own', async () => {
    const db = ctx.database.db;
    // the installation's pricing, and the same channel costs configured on the sandbox
    const pricing = {
      channel_costs: COSTS,
      margin_shares: { service_provider: 500_000, bank: 300_000 },
    };
    expect((await admin('PUT', '/pricing/default', pricing)).status).toBe(200);
    await sandbox('PUT', '/sandbox/pricing', { channel_costs: COSTS });
    const e = ctx.engine;

    const w1 = await micropay('wechat', `W1-${e}`, 10_000);
    const w2 = await micropay('wechat', `W2-${e}`, 3_333);
    const a1 = await micropay('alipay', `A1-${e}`, 8_800);
    const a2 = await micropay('alipay', `A2-${e}`, 12_345);
    const u1 = await unionpay(`U1-${e}`, 5_000);
    await env.until(async () => ((await orderStatus(u1)) === 'succeeded' ? true : undefined), 'U1 notified');

    // refunds: W1 partly, W2 fully (in two parts), A1 fully, U1 partly
    const refunds = [
      await refund(w1, 'RW1', 2_500),
      await refund(w2, 'RW2a', 1_000),
      await refund(w2, 'RW2b', 2_333),
      await refund(a1, 'RA1', 8_800),
      await refund(u1, 'RU1', 1_200),
    ];
    await env.until(async () => {
      const states = await db.selectFrom('refunds').select('status').where('id', 'in', refunds).execute();
      return states.every((s) => s.status === 'succeeded') ? true : undefined;
    }, 'the refunds to succeed');

    // at the channels: an Alipay fee altered, a WeChat trade JuhePay never saw
    await sandbox('POST', '/sandbox/bills/fee', { channel: 'alipay', out_trade_no: a2, fee: 99 });
    const outside = await sandbox('POST', '/sandbox/bills/trades', { channel: 'wechatpay', amount: 4_321 });
    // a UnionPay payment whose notification is lost (its retry is a minute away)
    await sandbox('POST', '/sandbox/faults', {
      channel: 'unionpay',
      operation: 'notify',
      mode: 'drop_notify',
      count: 1,
    });
    const u2 = await unionpay(`U2-${e}`, 7_000);
    expect(await orderStatus(u2)).toBe('paying');

    const date = chinaToday();
    const runs = [];
    for (const channel of ['wechatpay', 'alipay', 'unionpay'] as const) {
      const res = await admin('POST', '/reconciliations', { date, channel });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ object: 'reconciliation', status: 'completed', channel, others: [] });
      runs.push(res.body);
    }
    const [wechat, alipay, up] = runs;
    // WeChat: W1, W2, 3 refunds matched; the outside trade is the one mismatch
    expect(wechat.summary).toMatchObject({ matched: 5, mismatched: 1 });
    expect(alipay.summary).toMatchObject({ matched: 2, mismatched: 1 });
    expect(up.summary).toMatchObject({ matched: 2, mismatched: 1 });
    expect(wechat.summary.channel_total).toBe(10_000 + 3_333 + 4_321 - 2_500 - 3_333);
    expect(wechat.summary.platform_total).toBe(10_000 + 3_333 - 2_500 - 3_333);

    const listOf = async (rec: { id: string }) => {
      const res = await admin('GET', `/reconciliations/${rec.id}/mismatches`);
      expect(res.status).toBe(200);
      return res.body.data as Array<Record<string, unknown>>;
    };
    const [wm, am, um] = [await listOf(wechat), await listOf(alipay), await listOf(up)];
    expect(wm).toEqual([
      expect.objectContaining({
        type: 'channel_only',
        order_id: null,
        out_trade_no: outside.out_trade_no,
        channel_trade_no: outside.channel_trade_no,
        channel_amount: 4_321,
        platform_amount: null,
        status: 'open',
      }),
    ]);
    // the fee A2's pricing snapshot expects: 0.21 % of 123.45 yuan = 25.9 → 26 fen
    expect(am).toEqual([
      expect.objectContaining({
        type: 'fee_mismatch',
        order_id: a2,
        channel_fee: 99,
        platform_fee: 26,
        status: 'open',
      }),
    ]);
    expect(um).toEqual([
      expect.objectContaining({
        type: 'channel_only',
        order_id: u2,
        channel_amount: 7_000,
        status: 'auto_resolved',
        resolution: expect.objectContaining({ action: 'recovered', order_status: 'succeeded' }),
      }),
    ]);
    expect(await orderStatus(u2)).toBe('succeeded');

    // settlement's view: the two open ones
    const open = await unresolvedMismatches(db, date);
    expect(open.map((m) => m.type).sort()).toEqual(['channel_only', 'fee_mismatch']);

    // re-running the day is idempotent: the same mismatches, ids and states
    const again = await admin('POST', '/reconciliations', { date, channel: 'unionpay' });
    expect(again.body).toMatchObject({ id: up.id, status: 'completed', runs: 2 });
    expect(again.body.summary).toMatchObject({ matched: 3, mismatched: 0 }); // U2 is JuhePay's now
    expect(await listOf(up)).toEqual(um);
    const wechatAgain = await admin('POST', '/reconciliations', { date, channel: 'wechatpay' });
    expect(wechatAgain.body.id).toBe(wechat.id);
    expect(await listOf(wechat)).toEqual(wm);

    // operator resolutions: the fee difference booked as an audited adjustment; the outside trade accepted
    const bad = await admin('POST', `/mismatches/${am[0]!.id as string}/resolve`, {
      action: 'pay',
      note: 'x',
    });
    expect(bad.status).toBe(400);
    const adjusted = await admin('POST', `/mismatches/${am[0]!.id as string}/resolve`, {
      action: 'adjust',
      note: 'Alipay charged 99 fen: claimed back',
    });
    expect(adjusted.status, JSON.stringify(adjusted.body)).toBe(200);
    expect(adjusted.body).toMatchObject({
      status: 'resolved',
      resolution: { action: 'adjust', amount: 26 - 99 },
    });
    const twice = await admin('POST', `/mismatches/${am[0]!.id as string}/resolve`, {
      action: 'accept',
      note: 'again',
    });
    expect(twice.status).toBe(409);
    const entries = await admin(
      'GET',
      `/ledger/entries?source=${(adjusted.body.resolution as { adjustment_id: string }).adjustment_id}`,
    );
    expect(entries.body.data).toHaveLength(1);
    expect(
      (
        await admin('POST', `/mismatches/${wm[0]!.id as string}/resolve`, {
          action: 'accept',
          note: 'the merchant sold at its own till',
        })
      ).status,
    ).toBe(200);
    expect(await unresolvedMismatches(db, date)).toEqual([]);
    const trial = (await admin('GET', '/ledger/trial-balance')).body;
    expect(trial.total_debit).toBe(trial.total_credit);
    const audit = await db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'mismatch.resolve')
      .execute();
    expect(audit).toHaveLength(2);
  });

  it('a malformed bill fails the reconciliation with its reason, never half-used', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'recon-'));
    try {
      const file = path.join(dir, 'cut.csv');
      writeFileSync(
        file,
        '\uFEFF交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n',
      );
      const [rec] = await reconcileDay(deps(), { date: '2026-01-05', channel: 'wechatpay', file });
      expect(rec).toMatchObject({ status: 'failed', identity: 'file' });
      expect(rec!.reason).toMatch(/truncated|totals/);
      const mismatches = await ctx.database.db
        .selectFrom('reconciliation_mismatches')
        .select('id')
        .where('reconciliation_id', '=', rec!.id)
        .execute();
      expect(mismatches).toEqual([]);
      // the refused file is still stored whole, as downloaded (it is read once: parsed as it is stored)
      const stored = await ctx.database.db
        .selectFrom('reconciliation_bill_files')
        .innerJoin(
          'reconciliation_bill_chunks',
          'reconciliation_bill_chunks.file_id',
          'reconciliation_bill_files.id',
        )
        .select(['reconciliation_bill_files.size', 'reconciliation_bill_chunks.data'])
        .where('reconciliation_bill_files.reconciliation_id', '=', rec!.id)
        .orderBy('reconciliation_bill_chunks.seq')
        .execute();
      expect(Buffer.concat(stored.map((c) => c.data)).equals(readFileSync(file))).toBe(true);
      expect(Number(stored[0]!.size)).toBe(readFileSync(file).length);
      expect((await admin('GET', `/reconciliations/${rec!.id}`)).body).toMatchObject({ status: 'failed' });
      // bad input: a date that is not one, an unknown channel, an unknown id
      expect(
        (await admin('POST', '/reconciliations', { date: '2026-02-30', channel: 'alipay' })).status,
      ).toBe(422);
      expect(
        (await admin('POST', '/reconciliations', { date: '2026-02-01', channel: 'paypal' })).status,
      ).toBe(400);
      expect(
        (await admin('POST', '/reconciliations', { date: '2026-02-01', channel: 'alipay', x: 1 })).status,
      ).toBe(400);
      expect((await admin('GET', '/reconciliations/rec_00000000000000000000000000')).status).toBe(404);
      expect((await admin('GET', '/reconciliations/nope')).status).toBe(400);
      // a unit running already is not started twice; one left running 30 min ago is taken over
      const unit = { date: '2026-01-06', channel: 'alipay', identity: 'busy' };
      const t0 = new Date('2026-01-06T12:00:00Z');
      const first = await beginReconciliation(ctx.database.db, unit, t0);
      await expect(
        beginReconciliation(ctx.database.db, unit, new Date(t0.getTime() + 60_000)),
      ).rejects.toBeInstanceOf(ReconciliationBusyError);
      const later = await beginReconciliation(ctx.database.db, unit, new Date(t0.getTime() + 31 * 60_000));
      expect(later).toMatchObject({ id: first.id, runs: 2, status: 'running' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
