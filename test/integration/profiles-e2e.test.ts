import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { createApp } from '../../src/merchants/apps.js';
import { createInstitution, createMerchant } from '../../src/merchants/tenancy.js';
import { createCache, type Cache } from '../../src/platform/cache/index.js';
import type { Database, Engine } from '../../src/platform/db/index.js';
import { silentLogger } from '../../src/platform/logger.js';
import { relayOnce } from '../../src/platform/outbox/index.js';
import { MemoryStream, type Stream, type Subscription } from '../../src/platform/stream/index.js';
import { NatsStream } from '../../src/platform/stream/nats.js';
import { currentDigest, profileStreamConsumers, recomputeProfiles } from '../../src/profiles/index.js';
import { createTestDatabase } from '../support/db.js';
import { startPaymentsEnv, type PaymentsEnv } from '../support/payments.js';
import { waitFor } from '../support/process.js';
import { adminCall, type Json } from '../support/risk.js';
import { requireService } from '../support/services.js';
import { merchantHttpClient } from '../support/merchant-api.js';
import type { Credentials } from '../support/signing.js';

/**
 * Issue 13 end to end: payments through the sandbox → outbox → stream → the profile consumer →
 * state + serving cache → the API and the risk rules; a recompute leaves the same bytes. Embedded
 * (PGlite, in-process stream and cache) and production (PostgreSQL, Redis, NATS JetStream).
 */

interface Variant {
  name: string;
  engine: Engine;
  production: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'embedded: PGlite, in-process stream and cache', engine: 'pglite', production: false },
  { name: 'production: PostgreSQL, Redis, NATS JetStream', engine: 'postgres', production: true },
];

function available(v: Variant): boolean {
  if (!v.production) return true;
  return (
    requireService('TEST_DATABASE_URL') && requireService('TEST_REDIS_URL') && requireService('TEST_NATS_URL')
  );
}

for (const variant of VARIANTS) {
  describe.skipIf(!available(variant))(`profiles end to end [${variant.name}]`, () => {
    let database: Database;
    let env: PaymentsEnv;
    let cache: Cache | undefined;
    let stream: Stream;
    let consumer: Subscription;
    let n = 0;
    const handled = new Set<string>();

    beforeAll(async () => {
      database = await createTestDatabase(variant.engine);
      if (variant.production) {
        const suffix = randomBytes(5).toString('hex');
        cache = createCache({
          redisUrl: process.env.TEST_REDIS_URL,
          prefix: `juhepay-test:${suffix}:`,
          clock: systemClock,
        });
        stream = await NatsStream.connect({
          url: process.env.TEST_NATS_URL as string,
          streamName: `TEST_${suffix}`,
          subjectPrefix: `t${suffix}`,
          retryDelayMs: () => 20,
        });
      } else stream = new MemoryStream({ retryDelayMs: () => 5 });
      env = await startPaymentsEnv(database, cache ? { cache } : {});
      const deps = { db: database.db, cache: env.t.ctx.cache, clock: env.clock, logger: silentLogger };
      // the consumers' view of the stream also notes each event they finished (to wait on, not to sleep)
      const watched: Stream = {
        publish: (event) => stream.publish(event),
        subscribe: (name, topics, handler) =>
          stream.subscribe(name, topics, async (event) => {
            await handler(event);
            handled.add(event.id);
          }),
        ping: () => stream.ping(),
        close: () => stream.close(),
      };
      consumer = await profileStreamConsumers(deps, watched);
    }, 60_000);
    afterAll(async () => {
      await consumer?.stop();
      await env?.close();
      if (stream instanceof NatsStream) await stream.deleteStream();
      await stream?.close();
      await cache?.close();
      await database?.close();
    });

    const admin = (method: string, path: string, body?: unknown) =>
      adminCall(env.baseUrl, method, path, body);

    async function pay(wallet: 'wechat' | 'alipay', customer: string): Promise<Json> {
      const code = (await (
        await fetch(`${env.sandbox.url}/sandbox/paycodes`, {
          method: 'POST',
          body: JSON.stringify({ wallet, scenario: 'success' }),
        })
      ).json()) as { auth_code: string };
      const res = await env.api('POST', '/v1/orders/micropay', {
        mch_order_no: `PF-${++n}`,
        amount: 2_500,
        subject: 'tea',
        auth_code: code.auth_code,
        customer_id: customer,
      });
      expect(res.body.status).toBe('succeeded');
      return res.body;
    }

    /** Publishes the outbox (what the relay does) and waits until the consumer journalled `events`. */
    async function drain(events: number): Promise<void> {
      while ((await relayOnce(database.db, stream, { batch: 100, clock: env.clock })) > 0);
      await waitFor(
        async () => {
          const row = await database.db
            .selectFrom('profile_events')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow();
          return Number(row.n) >= events ? true : undefined;
        },
        15_000,
        `${events} profile events`,
      );
    }

    const signed = merchantHttpClient(
      () => env.baseUrl,
      () => env.t.credentials,
      () => env.clock,
    );
    const signedGet = (credentials: Credentials, url: string) => signed('GET', url, undefined, credentials);

    it('4 WeChat payments and 1 Alipay: usual_wallet is wechatpay with its distribution; a recompute leaves the same digest', async () => {
      for (let i = 0; i < 4; i++) await pay('wechat', 'cust-1');
      await pay('alipay', 'cust-1');
      await drain(5);

      const own = await env.api('GET', '/v1/profiles/cust-1');
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ object: 'profile', subject: `${env.t.merchantId}:cust-1` });
      const wallet = own.body.tags.usual_wallet;
      expect(wallet.top).toBe('wechatpay');
      expect(wallet.evidence).toBe(5);
      // Dirichlet, prior strength 1 uniform over the six wallets: (4 + 1/6) / 6 and (1 + 1/6) / 6
      expect(wallet.values[0].value).toBe('wechatpay');
      expect(wallet.values[0].confidence).toBeCloseTo(25 / 36, 12);
      expect(wallet.values[1]).toEqual({ value: 'alipay', confidence: expect.closeTo(7 / 36, 12) });
      expect(wallet.values).toHaveLength(6);
      const sum = (wallet.values as Json[]).reduce((s, v) => s + v.confidence, 0);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
      expect(own.body.tags.usual_pay_way.top).toBe('wechat_micropay');
      expect(own.body.tags.spending_level.top).toBe('low');

      const summary = await env.api('GET', '/v1/profiles/cust-1?view=summary');
      expect(summary.body.tags.usual_wallet).toEqual({ top: 'wechatpay', confidence: 0.69 });
      const adminView = await admin('GET', `/profiles/${env.t.merchantId}:cust-1`);
      expect(adminView.body.tags).toEqual(own.body.tags);

      const before = await currentDigest(database.db);
      const result = await recomputeProfiles({
        db: database.db,
        cache: env.t.ctx.cache,
        clock: env.clock,
        engine: database.engine,
      });
      expect(result.events).toBe(5);
      expect(result.digest).toBe(before);
      expect(await currentDigest(database.db)).toBe(before);
      const again = await env.api('GET', '/v1/profiles/cust-1');
      expect(again.body.tags).toEqual(own.body.tags);
    });

    it('another merchant cannot read the profile (404), and a redelivered event changes nothing', async () => {
      const institution = await createInstitution(database.db, 'Other Bank', env.clock);
      const merchant = await createMerchant(
        database.db,
        { name: 'Other Shop', institutionId: institution.id },
        env.clock,
      );
      const other = await createApp(
        database.db,
        env.t.ctx.box,
        { merchantId: merchant.id, name: 'o' },
        env.clock,
      );
      const denied = await signedGet(other, '/v1/profiles/cust-1');
      expect(denied.status).toBe(404);
      expect(denied.body.error.code).toBe('resource_missing');
      expect((await signedGet(other, '/v1/profiles/cust-1?view=summary')).status).toBe(404);
      expect((await env.api('GET', '/v1/profiles/cust-1?view=bogus')).status).toBe(400);
      expect((await env.api('GET', '/v1/profiles/cust-1?extra=1')).status).toBe(400);

      const before = await currentDigest(database.db);
      const first = await database.db
        .selectFrom('outbox')
        .selectAll()
        .where('topic', '=', 'order.succeeded')
        .executeTakeFirstOrThrow();
      await stream.publish({
        id: `${first.id}r`,
        topic: first.topic,
        payload: first.payload as Record<string, unknown>,
        created_at: new Date().toISOString(),
      });
      await waitFor(() => handled.has(`${first.id}r`) || undefined, 10_000, 'the redelivery handled');
      expect(await currentDigest(database.db)).toBe(before);
    });

    it('a rule on profile.usual_wallet reviews an Alipay payment by that customer, not a WeChat one', async () => {
      const rule = await admin('POST', '/risk/rules', {
        name: 'not the usual wallet',
        scene: 'payment',
        expression:
          'payment.channel != "" && profile.usual_wallet.top != "" && payment.channel != profile.usual_wallet.top && profile.usual_wallet.confidence > 0.6',
        action: 'review',
        mode: 'active',
      });
      expect(rule.status).toBe(201);
      const alipay = await pay('alipay', 'cust-1');
      const wechat = await pay('wechat', 'cust-1');
      const stranger = await pay('alipay', 'cust-new');
      const flags = await database.db
        .selectFrom('orders')
        .select(['id', 'risk_flag'])
        .where('id', 'in', [alipay.id, wechat.id, stranger.id])
        .execute();
      const flag = (id: string) => flags.find((f) => f.id === id)?.risk_flag;
      expect(flag(alipay.id)).toBe('review');
      expect(flag(wechat.id)).toBeNull();
      expect(flag(stranger.id)).toBeNull(); // no profile yet: nothing to differ from
      await admin('DELETE', `/risk/rules/${rule.body.id}`);
      await drain(8);
      const digest = await currentDigest(database.db);
      expect(
        (
          await recomputeProfiles({
            db: database.db,
            cache: env.t.ctx.cache,
            clock: env.clock,
            engine: database.engine,
          })
        ).digest,
      ).toBe(digest);
    });
  });
}
