import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { Cache } from '../../src/platform/cache/cache.js';
import { MemoryCache } from '../../src/platform/cache/memory.js';
import { RedisCache } from '../../src/platform/cache/redis.js';
import { requireService } from './services.js';

export type CacheKind = 'memory' | 'redis';
export const CACHE_KINDS: CacheKind[] = ['memory', 'redis'];

export interface CacheContext {
  kind: CacheKind;
  cache: Cache;
  /** Drives the memory cache's TTLs; Redis ignores it (server clock). */
  clock: ManualClock;
  /** Key prefix of this suite (Redis), unique per suite so files run side by side. */
  prefix: string;
  /** A second client on the same keys: another Redis connection, or the same memory cache. */
  open(): Cache;
  /** TTL to use in expiry tests: any for memory, short enough to poll for on Redis. */
  shortTtlMs: number;
  /** Lets time pass for TTLs: advances the clock (memory); a no-op for Redis, poll instead. */
  elapse(ms: number): void;
}

/** describe() once per cache: memory always, Redis when TEST_REDIS_URL is set. */
export function describeEachCache(name: string, body: (ctx: CacheContext) => void): void {
  for (const kind of CACHE_KINDS) {
    const available = kind === 'memory' || requireService('TEST_REDIS_URL');
    describe.skipIf(!available)(`${name} [${kind}]`, () => {
      const clock = new ManualClock();
      const prefix = `juhepay-test:${randomBytes(6).toString('hex')}:`;
      const opened: RedisCache[] = [];
      const openRedis = () => {
        const cache = new RedisCache(process.env.TEST_REDIS_URL as string, prefix);
        opened.push(cache);
        return cache;
      };
      const ctx: CacheContext = {
        kind,
        clock,
        prefix,
        cache: undefined as unknown as Cache,
        open: () => (kind === 'memory' ? ctx.cache : openRedis()),
        shortTtlMs: kind === 'memory' ? 1_000 : 150,
        elapse: (ms) => {
          if (kind === 'memory') clock.advance(ms);
        },
      };
      beforeAll(() => {
        ctx.cache = kind === 'memory' ? new MemoryCache(clock) : openRedis();
      });
      afterAll(async () => {
        const first = opened[0];
        if (first) await first.clear();
        for (const cache of opened) await cache.close();
        if (kind === 'memory') await ctx.cache.close();
      });
      body(ctx);
    });
  }
}
