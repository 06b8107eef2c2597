import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { createApp } from '../../src/merchants/apps.js';
import { createInstitution, createMerchant } from '../../src/merchants/tenancy.js';
import { MemoryCache } from '../../src/platform/cache/index.js';
import type { Database } from '../../src/platform/db/index.js';
import { silentLogger } from '../../src/platform/logger.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';
import type { StreamEvent } from '../../src/platform/stream/index.js';
import { applyOutcomeEvent, applyPaymentEvent } from '../../src/risk/events.js';
import { createRisk, loadRiskConfig, type Risk } from '../../src/risk/index.js';
import { createRule, deleteRule } from '../../src/risk/operations.js';
import { createTestDatabase } from '../support/db.js';
import { succeededOrderRow, succeededRefundRow } from '../support/order-rows.js';

/** The stream consumer adds succeeded payments and refunds to counters rules read; distinct() counts. */
describe('risk outcome counters and distinct counts', () => {
  let database: Database;
  let risk: Risk;
  let ids: { appId: string; merchantId: string };
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 12));
  const cache = new MemoryCache(clock);
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    const ins = await createInstitution(database.db, 'Bank', clock);
    const mch = await createMerchant(database.db, { name: 'Shop', institutionId: ins.id }, clock);
    const app = await createApp(
      database.db,
      new SecretBox(generateMasterKey()),
      { merchantId: mch.id, name: 'a' },
      clock,
    );
    ids = { appId: app.app_id, merchantId: mch.id };
    risk = await createRisk({
      db: database.db,
      cache,
      clock,
      logger: silentLogger,
      config: loadRiskConfig({}),
    });
  }, 180_000);
  afterAll(() => database.close());

  const deps = () => ({ db: database.db, cache, clock, logger: silentLogger });
  const rule = (expression: string) =>
    createRule(deps(), { name: expression, scene: 'payment', expression, action: 'reject', mode: 'active' });
  let n = 0;
  const decide = (ip: string, device = 'dev-x') =>
    risk.payment({
      appId: ids.appId,
      merchantId: ids.merchantId,
      mchOrderNo: `D-${++n}`,
      amount: 100,
      clientIp: ip,
      deviceId: device,
      payer: { channel: 'wechatpay', id: 'oPayer' },
    });
  const event = (topic: string, id: string): StreamEvent => ({
    id: newId('event'),
    topic,
    created_at: clock.now().toISOString(),
    payload: { data: { object: { id } } },
  });

  async function paidOrder(ip: string): Promise<string> {
    const id = newId('order');
    const at = clock.now();
    await database.db
      .insertInto('orders')
      .values(
        succeededOrderRow({
          id,
          app_id: ids.appId,
          merchant_id: ids.merchantId,
          mch_order_no: `P-${id}`,
          amount: 500,
          channel_trade_no: `t-${id}`,
          payer: JSON.stringify({ sp_openid: 'oPayer' }),
          client_ip: ip,
          at,
        }),
      )
      .execute();
    return id;
  }

  it('succeeded payments count once per order (redeliveries included) in count(…, "succeeded")', async () => {
    const r = await rule('count("ip", "1h", "succeeded") >= 2 && sum("ip", "1h", "succeeded") >= 1000');
    const first = await paidOrder('192.0.2.10');
    await applyPaymentEvent(deps(), event('order.succeeded', first));
    await applyPaymentEvent(deps(), event('order.succeeded', first)); // redelivered: still one
    expect((await decide('192.0.2.10')).decision).toBe('accept');
    await applyPaymentEvent(deps(), event('order.succeeded', await paidOrder('192.0.2.10')));
    expect((await decide('192.0.2.10')).decision).toBe('reject');
    expect((await decide('192.0.2.11')).decision).toBe('accept');
    clock.advance(3_600_000); // out of the window
    expect((await decide('192.0.2.10')).decision).toBe('accept');
    await deleteRule(deps(), r.id);
  });

  it('succeeded refunds count against the order’s payer in count(…, "refunded")', async () => {
    const r = await rule('count("payer", "24h", "refunded") >= 1');
    expect((await decide('192.0.2.20')).decision).toBe('accept');
    const orderId = await paidOrder('192.0.2.20');
    const refundId = newId('refund');
    const at = clock.now();
    await database.db
      .insertInto('refunds')
      .values(
        succeededRefundRow({
          id: refundId,
          order_id: orderId,
          app_id: ids.appId,
          merchant_id: ids.merchantId,
          mch_refund_no: 'R1',
          amount: 500,
          at,
        }),
      )
      .execute();
    await applyOutcomeEvent(deps(), event('refund.succeeded', refundId));
    expect((await decide('192.0.2.21')).decision).toBe('reject'); // same payer, any IP
    await deleteRule(deps(), r.id);
  });

  it('distinct("ip", "device", "1h") counts the different IPs one device came from', async () => {
    const r = await rule('distinct("ip", "device", "1h") > 2');
    expect((await decide('198.51.100.1', 'dev-hop')).decision).toBe('accept');
    expect((await decide('198.51.100.1', 'dev-hop')).decision).toBe('accept'); // same IP again
    expect((await decide('198.51.100.2', 'dev-hop')).decision).toBe('accept');
    expect((await decide('198.51.100.3', 'dev-hop')).decision).toBe('reject'); // the third IP
    expect((await decide('198.51.100.3', 'dev-calm')).decision).toBe('accept');
    clock.advance(2 * 3_600_000);
    expect((await decide('198.51.100.4', 'dev-hop')).decision).toBe('accept');
    await deleteRule(deps(), r.id);
  });
});
