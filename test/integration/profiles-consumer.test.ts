import { afterAll, beforeAll, expect, it } from 'vitest';
import { relayOnce } from '../../src/platform/outbox/index.js';
import { MemoryStream, type StreamEvent, type Subscription } from '../../src/platform/stream/index.js';
import { silentLogger } from '../../src/platform/logger.js';
import {
  bookDigest,
  compileTags,
  currentDigest,
  foldEvents,
  profileEventHandler,
  profileStreamConsumers,
  recomputeProfiles,
  tagsInForce,
  type ProfileEvent,
} from '../../src/profiles/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { waitFor } from '../support/process.js';
import { adminClient } from '../support/admin.js';
import { merchantClient } from '../support/merchant-api.js';

/**
 * The consumer and the operator tags without the sandbox: merchant risk events through the
 * outbox and the stream feed an operator-defined tag; bad tag definitions are 4xx; a recompute
 * that runs while the consumer keeps journalling catches up and still equals a fold of the journal.
 */
describeEachEngine('profiles: consumer, operator tags, recompute under load', (ctx) => {
  let t: TestApp;
  let stream: MemoryStream;
  let consumer: Subscription;

  beforeAll(async () => {
    t = await createTestApp(ctx.database);
    stream = new MemoryStream({ retryDelayMs: () => 5 });
    consumer = await profileStreamConsumers(
      { db: ctx.database.db, cache: t.ctx.cache, clock: t.clock, logger: silentLogger },
      stream,
    );
  });
  afterAll(async () => {
    await consumer.stop();
    await stream.close();
    await t.close();
  });

  const admin = adminClient(() => t.app);
  const merchant = merchantClient(
    () => t.app,
    () => t.credentials,
    () => t.clock,
  );
  const journalled = async () =>
    Number(
      (
        await ctx.database.db
          .selectFrom('profile_events')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const gender = {
    description: 'gender as the merchant reports it',
    sources: [{ type: 'risk.profile_update', field: 'attributes.gender' }],
    value: { kind: 'map', map: { m: 'male', f: 'female' }, otherwise: null },
    prior: { strength: 1 },
  };

  it('PUT /admin/v1/profiles/tags/{name} versions definitions and refuses bad ones with a 4xx naming the parameter', async () => {
    const first = await admin('PUT', '/profiles/tags/gender', gender);
    expect(first).toMatchObject({
      status: 200,
      body: { object: 'profile_tag', name: 'gender', version: 1, changed: true },
    });
    expect((await admin('PUT', '/profiles/tags/gender', gender)).body).toMatchObject({
      version: 1,
      changed: false,
    });
    const bad: Array<[string, unknown, string]> = [
      ['usual_wallet', gender, 'name'],
      ['Gender', gender, 'name'],
      ['gender', { ...gender, sources: [] }, 'sources'],
      ['gender', { ...gender, value: { kind: 'bins', cuts: [2, 1], labels: ['a', 'b', 'c'] } }, 'value.cuts'],
      ['gender', { ...gender, window: { kind: 'rolling', days: 0 } }, 'window.days'],
      ['gender', { ...gender, colour: 'red' }, 'colour'],
      ['gender', { ...gender, sources: [{ type: 'order.failed', field: 'x' }] }, 'sources[0].type'],
    ];
    for (const [name, body, param] of bad) {
      const res = await admin('PUT', `/profiles/tags/${name}`, body);
      expect(res.status, `${name} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error.param ?? '').toContain(param.split('.')[0]!.split('[')[0]!);
    }
    expect((await admin('GET', '/profiles/tags')).body.data.map((d: { name: string }) => d.name)).toEqual([
      'gender',
    ]);
  });

  it('merchant risk events reach the operator tag and usual_device through the outbox and the stream', async () => {
    for (const [g, device] of [
      ['f', 'dev-a'],
      ['f', 'dev-a'],
      ['m', 'dev-b'],
    ] as const) {
      const res = await merchant('POST', '/v1/risk/events', {
        type: 'profile_update',
        customer_id: 'c9',
        device_id: device,
        attributes: { gender: g },
      });
      expect(res.status).toBe(201);
    }
    while ((await relayOnce(ctx.database.db, stream, { batch: 100, clock: t.clock })) > 0);
    await waitFor(async () => ((await journalled()) >= 3 ? true : undefined), 10_000, 'three events');
    const profile = await merchant('GET', '/v1/profiles/c9');
    expect(profile.status).toBe(200);
    expect(profile.body.tags.gender).toMatchObject({ top: 'female', evidence: 3 });
    expect(profile.body.tags.gender.values[0].confidence).toBeCloseTo((2 + 0.5) / 4, 12);
    expect(profile.body.tags.usual_device.top).toBe('dev-a');
    const summary = await merchant('GET', '/v1/profiles/c9?view=summary');
    expect(summary.body.tags.gender).toEqual({ top: 'female', confidence: 0.63 });
  });

  it('a recompute during a stream of events catches up under the journal barrier and equals a fold of the journal', async () => {
    const handler = profileEventHandler({
      db: ctx.database.db,
      cache: t.ctx.cache,
      clock: t.clock,
      logger: silentLogger,
    });
    let k = 0;
    const riskEvent = (): StreamEvent => ({
      id: `evt_load_${++k}`,
      topic: 'risk.event',
      created_at: new Date(t.clock.nowMs() + k * 3_600_000).toISOString(),
      payload: {
        type: 'profile_update',
        merchant_id: t.merchantId,
        customer_id: `load-${k % 7}`,
        device_id: `d${k % 3}`,
        attributes: { gender: k % 3 === 0 ? 'm' : 'f' },
      },
    });
    for (let i = 0; i < 40; i++) await handler(riskEvent());
    const during: Promise<void>[] = [];
    // while it folds, the consumer keeps journalling into the old version
    const result = await recomputeProfiles(
      { db: ctx.database.db, cache: t.ctx.cache, clock: t.clock, engine: ctx.database.engine },
      {
        pageSize: 7,
        onProgress: () => {
          if (during.length < 12) during.push(handler(riskEvent()));
        },
      },
    );
    await Promise.all(during); // some land before the switch's lock (caught up), some after it
    await handler(riskEvent()); // after the switch: into the new version
    const rows = await ctx.database.db.selectFrom('profile_events').select('event').orderBy('seq').execute();
    const journal = rows.map((r) => JSON.parse(r.event) as ProfileEvent);
    const fold = foldEvents(compileTags(await tagsInForce(ctx.database.db)), journal);
    expect(result.events).toBeGreaterThan(43);
    expect(await currentDigest(ctx.database.db)).toBe(bookDigest(fold));
    // and a delivered event's id again changes nothing
    const digest = await currentDigest(ctx.database.db);
    await handler({ ...riskEvent(), id: 'evt_load_1' });
    expect(await currentDigest(ctx.database.db)).toBe(digest);
    expect(await journalled()).toBe(journal.length);
  });
});
