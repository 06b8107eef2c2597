import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { inTransaction } from '../../src/platform/db/index.js';
import { runDue, type Handlers } from '../../src/platform/jobs/index.js';
import { relayOnce } from '../../src/platform/outbox/index.js';
import { recordEvent, type WebhookEventType } from '../../src/notifications/events.js';
import { verifyWebhook } from '../../src/notifications/verify.js';
import { webhookJobHandlers } from '../../src/notifications/worker.js';
import { waitUntil } from '../support/wait.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { merchantClient } from '../support/merchant-api.js';

// The "done when" path of issue 6: a merchant endpoint down for 40 s, retried at 0/15/30 s and
// delivered at 60 s; every attempt signed, same event id, nothing after the 2xx, listed by the API.

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  atMs: number;
}
type Answer = { status: number; body?: string | Buffer; headers?: Record<string, string>; delayMs?: number };

describeEachEngine('webhook delivery', (ctx) => {
  let t: TestApp;
  let server: Server;
  let base: string;
  const received: Received[] = [];
  let respond: (r: Received) => Answer = () => ({ status: 200 });
  let handlers: Handlers;
  let objectCounter = 0;

  beforeAll(async () => {
    t = await createTestApp(ctx.database);
    handlers = webhookJobHandlers(t.ctx, { allowPrivate: true, timeoutMs: 2_000 });
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const r = { path: req.url ?? '', headers: req.headers, body, atMs: t.clock.nowMs() };
        received.push(r);
        const answer = respond(r);
        setTimeout(() => {
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body ?? '');
        }, answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });
  beforeEach(() => {
    received.length = 0;
    respond = () => ({ status: 200 });
  });

  const run = () => runDue(t.ctx.db, handlers, { workerId: 'w1', limit: 20, leaseMs: 60_000 }, t.clock);
  const newOrderId = () => `ord_${String(++objectCounter).padStart(26, '0')}`;

  async function emit(objectId: string, type: WebhookEventType = 'order.succeeded', path = '/hook') {
    return inTransaction(t.ctx.db, (tx) =>
      recordEvent(
        tx,
        {
          appId: t.credentials.app_id,
          merchantId: t.merchantId,
          type,
          objectType: 'order',
          objectId,
          object: { object: 'order', id: objectId, amount: 1000, status: 'succeeded' },
          notifyUrl: `${base}${path}`,
        },
        t.clock,
      ),
    );
  }

  const api = merchantClient(
    () => t.app,
    () => t.credentials,
    () => t.clock,
  );

  it('retries a 503 at 0 s, 15 s, 30 s and stops after the 2xx at 60 s', async () => {
    const orderId = newOrderId();
    const t0 = t.clock.nowMs();
    respond = (r) => (r.atMs - t0 < 40_000 ? { status: 503, body: 'busy' } : { status: 200 });
    const event = await emit(orderId);
    expect(event).toMatchObject({ object: 'event', type: 'order.succeeded', sequence: 1 });

    expect((await run()).claimed).toBe(1); // 0 s
    expect((await run()).claimed).toBe(0); // not due before 15 s
    t.clock.advance(14_999);
    expect((await run()).claimed).toBe(0);
    t.clock.advance(1);
    await run(); // 15 s
    t.clock.advance(15_000);
    await run(); // 30 s
    t.clock.advance(29_999);
    expect((await run()).claimed).toBe(0);
    t.clock.advance(1);
    await run(); // 60 s: the endpoint is back
    for (let i = 0; i < 20; i++) {
      t.clock.advance(6 * 3_600_000);
      await run();
    }

    expect(received.map((r) => r.atMs - t0)).toEqual([0, 15_000, 30_000, 60_000]);
    for (const [i, r] of received.entries()) {
      expect(JSON.parse(r.body).id).toBe(event.id);
      expect(r.headers['juhe-attempt']).toBe(String(i + 1));
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      const verdict = verifyWebhook(t.credentials.app_secret, r.headers, r.body, {
        nowSeconds: Math.floor(r.atMs / 1000),
      });
      expect(verdict.ok).toBe(true);
      expect(
        verifyWebhook('wrong-secret', r.headers, r.body, { nowSeconds: Math.floor(r.atMs / 1000) }).ok,
      ).toBe(false);
    }
    expect(new Set(received.map((r) => r.headers['juhe-nonce'])).size).toBe(4);

    const listed = await api('GET', `/v1/events?object_id=${orderId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(1);
    const view = listed.body.data[0];
    expect(view).toMatchObject({ id: event.id, sequence: 1, data: { object: { id: orderId } } });
    expect(view.delivery).toMatchObject({ status: 'succeeded', attempt_count: 4, next_attempt_at: null });
    expect(
      view.delivery.attempts.map((a: { outcome: string; status_code: number; response: string }) => [
        a.outcome,
        a.status_code,
        a.response,
      ]),
    ).toEqual([
      ['failed', 503, 'busy'],
      ['failed', 503, 'busy'],
      ['failed', 503, 'busy'],
      ['succeeded', 200, ''],
    ]);
    expect(view.delivery.attempts.every((a: { latency_ms: number }) => a.latency_ms >= 0)).toBe(true);
  });

  it('numbers the events of one object and publishes each to the stream through the outbox', async () => {
    const streamed: Array<{ topic: string; id: unknown; sequence: unknown }> = [];
    const subscription = await t.ctx.stream.subscribe('webhook_test', 'order.*', async (e) => {
      streamed.push({ topic: e.topic, id: e.payload.id, sequence: e.payload.sequence });
    });
    const orderId = newOrderId();
    const first = await emit(orderId, 'order.succeeded');
    const second = await emit(orderId, 'order.closed');
    expect([first.sequence, second.sequence]).toEqual([1, 2]);
    const outbox = await t.ctx.db
      .selectFrom('outbox')
      .select(['topic', 'payload'])
      .where('topic', 'in', ['order.succeeded', 'order.closed'])
      .execute();
    const ours = outbox.filter((o) => [first.id, second.id].includes(String(o.payload.id)));
    expect(ours.map((o) => o.topic).sort()).toEqual(['order.closed', 'order.succeeded']);
    while ((await relayOnce(t.ctx.db, t.ctx.stream, { batch: 100, clock: t.clock })) > 0);
    // the stream's consumer delivers on its own schedule (in process or NATS): a real wait
    await waitUntil(() => streamed.length >= 2, 'both events streamed', { timeoutMs: 5_000 });
    await subscription.stop();
    expect(streamed.filter((e) => e.id === first.id || e.id === second.id)).toEqual([
      { topic: 'order.succeeded', id: first.id, sequence: 1 },
      { topic: 'order.closed', id: second.id, sequence: 2 },
    ]);

    // a rolled-back state change leaves no event, no outbox row and no job
    const ghost = newOrderId();
    await expect(
      inTransaction(t.ctx.db, async (tx) => {
        await recordEvent(
          tx,
          {
            appId: t.credentials.app_id,
            merchantId: t.merchantId,
            type: 'order.failed',
            objectType: 'order',
            objectId: ghost,
            object: { id: ghost },
          },
          t.clock,
        );
        throw new Error('the order update failed');
      }),
    ).rejects.toThrow('the order update failed');
    const left = await t.ctx.db
      .selectFrom('webhook_events')
      .select('id')
      .where('object_id', '=', ghost)
      .execute();
    expect(left).toEqual([]);
    expect(await emit(ghost)).toMatchObject({ sequence: 1 }); // the counter rolled back too
    await run();
  });

  it('gives concurrent events of one object distinct, gapless sequences', async () => {
    const orderId = newOrderId();
    const events = await Promise.all(Array.from({ length: 12 }, () => emit(orderId, 'refund.succeeded')));
    expect(events.map((e) => e.sequence).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    await run();
  });

  it('does not follow a redirect, and cuts a huge or binary answer', async () => {
    respond = (r) =>
      r.path === '/redirect'
        ? { status: 302, headers: { location: `${base}/elsewhere` } }
        : r.path === '/huge'
          ? { status: 500, body: 'x'.repeat(5 * 1024 * 1024) }
          : { status: 500, body: Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256)) };
    const redirected = await emit(newOrderId(), 'order.succeeded', '/redirect');
    const huge = await emit(newOrderId(), 'order.succeeded', '/huge');
    const binary = await emit(newOrderId(), 'order.succeeded', '/binary');
    await run();
    expect(received.map((r) => r.path).sort()).toEqual(['/binary', '/huge', '/redirect']);
    const attempts = await t.ctx.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('event_id', 'in', [redirected.id, huge.id, binary.id])
      .execute();
    const byEvent = new Map(attempts.map((a) => [a.event_id, a]));
    expect(byEvent.get(redirected.id)).toMatchObject({ outcome: 'failed', status_code: 302 });
    expect(byEvent.get(redirected.id)?.error).toContain('not followed');
    const hugeExcerpt = byEvent.get(huge.id)?.response_excerpt ?? '';
    expect(hugeExcerpt.startsWith('x'.repeat(1024))).toBe(true);
    expect(hugeExcerpt.length).toBeLessThan(1100);
    expect(byEvent.get(binary.id)?.response_excerpt).toMatch(/^<binary \d+\+? bytes>$/);
    const states = await t.ctx.db
      .selectFrom('webhook_events')
      .select(['status', 'next_attempt_at'])
      .where('id', 'in', [redirected.id, huge.id, binary.id])
      .execute();
    expect(states.every((s) => s.status === 'pending' && s.next_attempt_at !== null)).toBe(true);
    t.clock.advance(15_000);
    respond = () => ({ status: 204 });
    await run();
    expect(received.filter((r) => r.path === '/elsewhere')).toEqual([]);
  });

  it('times a slow endpoint out and delivers on the retry', async () => {
    let calls = 0;
    respond = () => ({ status: 200, delayMs: ++calls === 1 ? 3_000 : 0 });
    const event = await emit(newOrderId());
    await run();
    const first = await t.ctx.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('event_id', '=', event.id)
      .execute();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      outcome: 'failed',
      status_code: null,
      error: 'timed out after 2000 ms',
    });
    expect(first[0]!.latency_ms).toBeGreaterThanOrEqual(1_900);
    expect(first[0]!.latency_ms).toBeLessThan(2_900);
    t.clock.advance(15_000);
    await run();
    const after = await t.ctx.db
      .selectFrom('webhook_events')
      .select(['status', 'attempt_count'])
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'succeeded', attempt_count: 2 });
  });

  it('refuses loopback targets when private addresses are not allowed', async () => {
    const guarded = webhookJobHandlers(t.ctx, { allowPrivate: false, timeoutMs: 2_000 });
    const byIp = await emit(newOrderId());
    const byName = await inTransaction(t.ctx.db, (tx) =>
      recordEvent(
        tx,
        {
          appId: t.credentials.app_id,
          merchantId: t.merchantId,
          type: 'order.succeeded',
          objectType: 'order',
          objectId: newOrderId(),
          object: {},
          notifyUrl: `${base.replace('127.0.0.1', 'localhost')}/hook`,
        },
        t.clock,
      ),
    );
    await runDue(t.ctx.db, guarded, { workerId: 'guarded', limit: 20, leaseMs: 60_000 }, t.clock);
    expect(received).toEqual([]);
    const attempts = await t.ctx.db
      .selectFrom('webhook_attempts')
      .select(['event_id', 'error'])
      .where('event_id', 'in', [byIp.id, byName.id])
      .execute();
    expect(attempts).toHaveLength(2);
    for (const a of attempts) expect(a.error).toMatch(/private or loopback/);
  });

  it('records a failed attempt when neither the object nor the app has a notify_url', async () => {
    const event = await inTransaction(t.ctx.db, (tx) =>
      recordEvent(
        tx,
        {
          appId: t.credentials.app_id,
          merchantId: t.merchantId,
          type: 'order.failed',
          objectType: 'order',
          objectId: newOrderId(),
          object: {},
        },
        t.clock,
      ),
    );
    await run();
    const view = await api('GET', `/v1/events/${event.id}`);
    expect(view.body.delivery.status).toBe('pending');
    expect(view.body.delivery.attempts[0]).toMatchObject({ outcome: 'failed', url: null });
    expect(view.body.delivery.attempts[0].error).toMatch(/no notify_url/);
  });
});
