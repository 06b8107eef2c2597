import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { Cache } from '../../src/platform/cache/cache.js';
import { MemoryCache, RedisCache } from '../../src/platform/cache/index.js';
import type { Database } from '../../src/platform/db/index.js';
import { silentLogger } from '../../src/platform/logger.js';
import { createRisk, loadRiskConfig } from '../../src/risk/index.js';
import { addListEntry } from '../../src/risk/operations.js';
import { LISTS_MAP } from '../../src/risk/shared-state.js';
import { createTestDatabase } from '../support/db.js';

/** Redis down: each scene decides by its own policy; after a reconnect the local copy is dropped. */
describe('risk when the shared cache fails', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase(process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite');
  }, 180_000);
  afterAll(() => database.close());

  it('applies fail-open, fail-closed and review per scene, quickly, and logs why', async () => {
    // nothing listens on port 1: every command fails (or hangs until the timeout)
    const cache = new RedisCache('redis://127.0.0.1:1', 'down:', { maxRetriesPerRequest: 0 });
    const clock = new ManualClock();
    const risk = await createRisk({
      db: database.db,
      cache,
      clock,
      logger: silentLogger,
      config: loadRiskConfig({
        RISK_CACHE_FAILURE: 'payment=review,refund=closed,login=open',
        RISK_CACHE_TIMEOUT_MS: '100',
      }),
    });
    try {
      const started = Date.now();
      const payment = await risk.engine.decide({ scene: 'payment', ip: '1.2.3.4', amount: 100 });
      const refund = await risk.engine.decide({ scene: 'refund', ip: '1.2.3.4', amount: 100 });
      const login = await risk.engine.decide({ scene: 'login', ip: '1.2.3.4' });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(payment.decision).toBe('review');
      expect(refund.decision).toBe('reject');
      expect(login.decision).toBe('accept');
      expect(refund.reasons).toEqual([{ rule_id: null, name: 'cache_unavailable:fail_closed' }]);
      await risk.flush();
      const logged = await database.db
        .selectFrom('risk_decisions')
        .selectAll()
        .where('id', '=', refund.id)
        .executeTakeFirstOrThrow();
      expect(logged.inputs).toMatchObject({ cache_error: expect.any(String) });
    } finally {
      await cache.close();
    }
  });

  it('rejects bad failure settings with the variable named', () => {
    expect(() => loadRiskConfig({ RISK_CACHE_FAILURE: 'payment=maybe' })).toThrow(/RISK_CACHE_FAILURE/);
    expect(() => loadRiskConfig({ RISK_CACHE_TIMEOUT_MS: '0' })).toThrow(/RISK_CACHE_TIMEOUT_MS/);
  });

  it('drops its local copy of the lists after a reconnect (a restarted Redis may reuse version numbers)', async () => {
    const clock = new ManualClock();
    let current: MemoryCache = new MemoryCache(clock);
    const listeners: Array<() => void> = [];
    // a cache whose server can be swapped, as if Redis restarted and was re-seeded
    const cache = new Proxy({} as Cache, {
      get: (_, name: keyof Cache) =>
        name === 'onReconnect'
          ? (l: () => void) => listeners.push(l)
          : (current[name] as (...a: unknown[]) => unknown).bind(current),
    });
    const risk = await createRisk({ db: database.db, cache, clock, logger: silentLogger });
    const deps = { db: database.db, cache, clock };
    await addListEntry(deps, 'block', { type: 'device', value: 'dev-stale' });
    expect((await risk.engine.decide({ scene: 'payment', device: 'dev-stale' })).decision).toBe('reject');

    // the restarted server: the entry was removed meanwhile, and the version is back at the same number
    const version = (await current.mapRead(LISTS_MAP)).version;
    current = new MemoryCache(clock);
    for (let i = 0; i < version; i++) await current.mapWrite(LISTS_MAP, {});
    expect((await risk.engine.decide({ scene: 'payment', device: 'dev-stale' })).decision).toBe('reject'); // stale
    for (const l of listeners) l();
    expect((await risk.engine.decide({ scene: 'payment', device: 'dev-stale' })).decision).toBe('accept');
    await risk.flush();
  });
});
