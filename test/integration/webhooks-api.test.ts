import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/merchants/apps.js';
import { inTransaction } from '../../src/platform/db/index.js';
import { runDue, type Handlers } from '../../src/platform/jobs/index.js';
import { recordEvent } from '../../src/notifications/events.js';
import { attemptOffsetsMs, MAX_ATTEMPTS_PER_ROUND } from '../../src/notifications/schedule.js';
import { webhookJobHandlers } from '../../src/notifications/worker.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { adminClient } from '../support/admin.js';
import { merchantClient } from '../support/merchant-api.js';

// The whole 24 h schedule walked with the injected clock, resends (merchant and admin, one and
// bulk), and the events API: filters, pagination, scoping and malformed input.

describeEachEngine('webhook schedule, resend and events API', (ctx) => {
  let t: TestApp;
  let server: Server;
  let url: string;
  let status = 500;
  const hits: Array<{ id: string; atMs: number }> = [];
  let handlers: Handlers;

  beforeAll(async () => {
    t = await createTestApp(ctx.database);
    handlers = webhookJobHandlers(t.ctx, { allowPrivate: true, timeoutMs: 2_000 });
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hits.push({ id: JSON.parse(body).id, atMs: t.clock.nowMs() });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  const run = () => runDue(t.ctx.db, handlers, { workerId: 'w', limit: 50, leaseMs: 60_000 }, t.clock);
  let n = 0;
  const emit = (appId = t.credentials.app_id, objectId = `ord_${String(++n).padStart(26, '0')}`) =>
    inTransaction(t.ctx.db, (tx) =>
      recordEvent(
        tx,
        {
          appId,
          merchantId: t.merchantId,
          type: 'order.succeeded',
          objectType: 'order',
          objectId,
          object: { id: objectId },
          notifyUrl: url,
        },
        t.clock,
      ),
    );
  const merchant = merchantClient(
    () => t.app,
    () => t.credentials,
    () => t.clock,
  );
  const admin = adminClient(() => t.app);
  const state = (id: string) =>
    t.ctx.db.selectFrom('webhook_events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  let failedA = '';
  let failedB = '';

  it('walks the 16 attempts of the ~24 h schedule to failed, then sends nothing more', async () => {
    status = 500;
    hits.length = 0;
    const t0 = t.clock.nowMs();
    const a = await emit();
    const b = await emit();
    failedA = a.id;
    failedB = b.id;
    for (;;) {
      await run();
      const s = await state(a.id);
      if (s.status !== 'pending') break;
      t.clock.set(s.next_attempt_at!); // jump exactly to the next due time
    }
    const offsets = attemptOffsetsMs();
    expect(offsets[offsets.length - 1]).toBe(86_640_000); // 24 h 4 min
    for (const id of [a.id, b.id]) {
      expect(hits.filter((h) => h.id === id).map((h) => h.atMs - t0)).toEqual(offsets);
      expect(await state(id)).toMatchObject({
        status: 'failed',
        attempt_count: MAX_ATTEMPTS_PER_ROUND,
        next_attempt_at: null,
      });
    }
    t.clock.advance(7 * 86_400_000);
    await run();
    expect(hits).toHaveLength(2 * MAX_ATTEMPTS_PER_ROUND);
    const failed = await merchant('GET', '/v1/events?status=failed');
    expect(failed.body.data.map((e: { id: string }) => e.id).sort()).toEqual([a.id, b.id].sort());
  });

  it('resends one failed event for the merchant, refusing a resend while it is pending', async () => {
    status = 200;
    hits.length = 0;
    const resent = await merchant('POST', `/v1/events/${failedA}/resend`);
    expect(resent.status).toBe(202);
    expect(resent.body.delivery).toMatchObject({ status: 'pending', round: 2 });
    const again = await merchant('POST', `/v1/events/${failedA}/resend`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'state_conflict', param: 'id' });
    await run();
    expect(hits.map((h) => h.id)).toEqual([failedA]);
    const view = await merchant('GET', `/v1/events/${failedA}`);
    expect(view.body.delivery.status).toBe('succeeded');
    expect(view.body.delivery.attempts).toHaveLength(17);
    expect(view.body.delivery.attempts[16]).toMatchObject({
      attempt: 17,
      round: 2,
      outcome: 'succeeded',
      status_code: 200,
    });
  });

  it('resends all failed events of a time range through the admin API', async () => {
    hits.length = 0;
    const from = new Date(t.clock.nowMs() - 30 * 86_400_000).toISOString();
    const to = new Date(t.clock.nowMs() + 1000).toISOString();
    const bad = await admin('POST', '/events/resend', { created_from: to, created_to: from });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('created_to');
    const res = await admin('POST', '/events/resend', { created_from: from, created_to: to });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ object: 'resend', resent: 1, event_ids: [failedB], has_more: false });
    await run();
    expect(hits.map((h) => h.id)).toEqual([failedB]);
    expect((await admin('GET', `/events/${failedB}`)).body.delivery.status).toBe('succeeded');
    const none = await admin('POST', '/events/resend', { created_from: from, created_to: to });
    expect(none.body.resent).toBe(0);
  });

  it('pages through events newest first and filters by object, type and time', async () => {
    const objectId = 'ord_pagepagepagepagepagepagepa';
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advance(1_000);
      ids.push((await emit(t.credentials.app_id, objectId)).id);
    }
    await run();
    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const page = await merchant('GET', `/v1/events?object_id=${objectId}&limit=2${cursor}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((e: { id: string }) => e.id));
      if (!page.body.has_more) break;
      cursor = `&starting_after=${page.body.next_starting_after}`;
    }
    expect(seen).toEqual([...ids].reverse());
    const sequences = (await merchant('GET', `/v1/events?object_id=${objectId}`)).body.data.map(
      (e: { sequence: number }) => e.sequence,
    );
    expect(sequences).toEqual([5, 4, 3, 2, 1]);
    const since = new Date(t.clock.nowMs() - 1_500).toISOString();
    const recent = await merchant(
      'GET',
      `/v1/events?type=order.succeeded&created_from=${encodeURIComponent(since)}`,
    );
    expect(recent.body.data.map((e: { id: string }) => e.id)).toEqual([ids[4], ids[3]]);
  });

  it("hides another app's events from the merchant but not from the admin", async () => {
    const other = await createApp(t.ctx.db, t.ctx.box, { merchantId: t.merchantId, name: 'other' }, t.clock);
    const theirs = await emit(other.app_id);
    expect((await merchant('GET', `/v1/events/${theirs.id}`)).status).toBe(404);
    expect((await merchant('POST', `/v1/events/${theirs.id}/resend`)).status).toBe(404);
    expect((await merchant('GET', `/v1/events/${theirs.id}`, '', other)).status).toBe(200);
    const listed = await admin('GET', `/events?app_id=${other.app_id}`);
    expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual([theirs.id]);
    await run();
  });

  it.each([
    ['/v1/events?limit=0', 'limit', 'parameter_invalid'],
    ['/v1/events?limit=abc', 'limit', 'parameter_invalid'],
    ['/v1/events?limit=101', 'limit', 'parameter_invalid'],
    ['/v1/events?type=order.paid', 'type', 'parameter_invalid'],
    ['/v1/events?status=done', 'status', 'parameter_invalid'],
    ['/v1/events?created_from=yesterday', 'created_from', 'parameter_invalid'],
    ['/v1/events?created_from=2026-01-01T00:00:00', 'created_from', 'parameter_invalid'],
    ['/v1/events?starting_after=ord_x', 'starting_after', 'parameter_invalid'],
    ['/v1/events?object_id=%27%20or%201=1', 'object_id', 'parameter_invalid'],
    ['/v1/events?objectid=ord_1', 'objectid', 'parameter_unknown'],
    ['/v1/events/evt_nope', 'id', 'parameter_invalid'],
  ])('answers %s with 400 naming %s', async (path, param, code) => {
    const res = await merchant('GET', path);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
  });

  it('answers malformed resend bodies with 400 and unknown events with 404', async () => {
    const unknownField = await merchant(
      'POST',
      '/v1/events/resend',
      '{"created_from":"2026-01-01T00:00:00Z","created_to":"2026-01-02T00:00:00Z","all":true}',
    );
    expect(unknownField.body.error).toMatchObject({ code: 'parameter_unknown', param: 'all' });
    const missing = await merchant('POST', '/v1/events/resend', '{"created_from":"2026-01-01T00:00:00Z"}');
    expect(missing.body.error).toMatchObject({ code: 'parameter_missing', param: 'created_to' });
    const badTime = await merchant(
      'POST',
      '/v1/events/resend',
      '{"created_from":"2026-13-01T00:00:00Z","created_to":"2026-01-02T00:00:00Z"}',
    );
    expect(badTime.body.error).toMatchObject({ code: 'parameter_invalid', param: 'created_from' });
    const ghost = await merchant('POST', '/v1/events/evt_0000000000000000000000000a/resend');
    expect(ghost.status).toBe(404);
    const wide = await admin('POST', '/events/resend', {
      created_from: '2025-01-01T00:00:00Z',
      created_to: '2026-01-01T00:00:00Z',
    });
    expect(wide.body.error).toMatchObject({ code: 'parameter_invalid', param: 'created_to' });
    const noToken = await t.app.inject({ method: 'GET', url: '/admin/v1/events' });
    expect(noToken.statusCode).toBe(401);
  });

  it('documents every events endpoint in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of [
      '/v1/events',
      '/v1/events/{id}',
      '/v1/events/{id}/resend',
      '/v1/events/resend',
      '/admin/v1/events',
      '/admin/v1/events/{id}',
      '/admin/v1/events/{id}/resend',
      '/admin/v1/events/resend',
    ]) {
      const ops = Object.values(doc.paths[path] ?? {}) as Array<{ summary?: string; tags?: string[] }>;
      expect(ops.length, path).toBeGreaterThan(0);
      for (const op of ops) expect(op.summary && op.tags?.length, path).toBeTruthy();
    }
  });
});
