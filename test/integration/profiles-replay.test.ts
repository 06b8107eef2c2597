import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { MemoryCache } from '../../src/platform/cache/index.js';
import { silentLogger } from '../../src/platform/logger.js';
import type { StreamEvent } from '../../src/platform/stream/index.js';
import {
  bookDigest,
  compileTags,
  currentDigest,
  foldEvents,
  profileEventHandler,
  recomputeProfiles,
  tagsInForce,
  type ProfileEvent,
} from '../../src/profiles/index.js';
import { describeEachEngine } from '../support/db.js';

/**
 * Consumers without a global lock: deliveries of events about the same few subjects run
 * concurrently (on PostgreSQL, in parallel transactions), some ids delivered twice at once. The
 * state must still be the fold of the journal, each id journalled once and indexed under its
 * subjects, and a subject-by-subject recompute must give the same digest — with customer ids past
 * U+D7FF, where the database's "C" order must be the digest's code-point order.
 */
describeEachEngine('profiles: parallel consumers and the subject replay', (ctx) => {
  const clock = new ManualClock(new Date('2026-12-04T02:00:00Z'));
  const customers = ['c1', 'c2', '\u{1F600}', '\uFF5E'];

  const riskEvent = (k: number): StreamEvent => ({
    id: `evt_par_${k}`,
    topic: 'risk.event',
    created_at: new Date(clock.nowMs() + k * 3_600_000).toISOString(),
    payload: {
      type: 'login',
      merchant_id: 'mch_par',
      customer_id: customers[k % customers.length],
      device_id: `d${k % 3}`,
    },
  });

  it('concurrent deliveries (with repeats) end as the fold of the journal, and a recompute agrees', async () => {
    const { db } = ctx.database;
    const handler = profileEventHandler({ db, cache: new MemoryCache(clock), clock, logger: silentLogger });
    const deliveries: Promise<void>[] = [];
    for (let k = 0; k < 48; k++) {
      deliveries.push(handler(riskEvent(k)));
      if (k % 4 === 0) deliveries.push(handler(riskEvent(k))); // the same id, at the same time
    }
    await Promise.all(deliveries);

    const rows = await db.selectFrom('profile_events').select(['seq', 'event']).orderBy('seq').execute();
    expect(rows).toHaveLength(48);
    const journal = rows.map((r) => JSON.parse(r.event) as ProfileEvent);
    const index = await db.selectFrom('profile_event_subjects').select(['subject', 'seq']).execute();
    expect(index).toHaveLength(48); // one subject each: risk events name no payer
    const expected = bookDigest(foldEvents(compileTags(await tagsInForce(db)), journal));
    expect(await currentDigest(db)).toBe(expected);

    const result = await recomputeProfiles(
      { db, cache: new MemoryCache(clock), clock, engine: ctx.database.engine },
      { pageSize: 5 },
    );
    expect(result).toMatchObject({ events: 48, subjects: customers.length, digest: expected });
    expect(await currentDigest(db)).toBe(expected);
    // the stored order is code-point order: U+FF5E before U+1F600, as compareCodePoints has it
    const { rows: order } = await sql<{ subject: string }>`
      select distinct subject from profile_states where version = ${result.version} order by subject`.execute(
      db,
    );
    expect(order.map((r) => r.subject)).toEqual([
      'mch_par:c1',
      'mch_par:c2',
      'mch_par:\uFF5E',
      'mch_par:\u{1F600}',
    ]);
  });
});
