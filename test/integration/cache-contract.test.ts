import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { CacheValueError, createCache, MemoryCache, RedisCache } from '../../src/platform/cache/index.js';
import { describeEachCache } from '../support/cache.js';
import { requireService } from '../support/services.js';
import { unique, waitFor } from '../support/stream.js';

describeEachCache('cache contract', (ctx) => {
  /** Memory: move the clock past the TTL. Redis: poll until the server expires the key. */
  async function expectExpires(key: string, ttlMs: number): Promise<void> {
    ctx.elapse(ttlMs);
    await waitFor(async () => (await ctx.cache.get(key)) === null, {
      timeoutMs: 3_000,
      what: `${key} to expire`,
    });
  }

  it('gets, sets, overwrites and deletes', async () => {
    const { cache } = ctx;
    const key = unique('k');
    expect(await cache.get(key)).toBeNull();
    await cache.set(key, 'one');
    expect(await cache.get(key)).toBe('one');
    await cache.set(key, 'two');
    expect(await cache.get(key)).toBe('two');
    await cache.delete(key);
    expect(await cache.get(key)).toBeNull();
    await cache.delete(key); // deleting a missing key is fine
  });

  it('expires a key after its TTL and treats it as absent', async () => {
    const key = unique('ttl');
    const ttl = ctx.shortTtlMs;
    const started = Date.now();
    await ctx.cache.set(key, 'v', ttl);
    expect(await ctx.cache.get(key)).toBe('v');
    if (ctx.kind === 'memory') {
      ctx.elapse(ttl - 1);
      expect(await ctx.cache.get(key)).toBe('v');
      ctx.elapse(1);
      expect(await ctx.cache.get(key)).toBeNull();
    } else {
      await expectExpires(key, ttl);
      expect(Date.now() - started).toBeGreaterThanOrEqual(ttl - 2);
    }
    expect(await ctx.cache.setIfAbsent(key, 'again', ttl)).toBe(true); // expired = absent
  });

  it('a plain set clears an earlier TTL', async () => {
    const key = unique('keep');
    const witness = unique('witness');
    await ctx.cache.set(key, 'a', ctx.shortTtlMs);
    await ctx.cache.set(key, 'b');
    await ctx.cache.set(witness, 'w', ctx.shortTtlMs); // expires after key's old TTL would have
    await expectExpires(witness, ctx.shortTtlMs);
    expect(await ctx.cache.get(key)).toBe('b');
  });

  it('setIfAbsent sets once and keeps the first value', async () => {
    const key = unique('nonce');
    expect(await ctx.cache.setIfAbsent(key, 'first', 60_000)).toBe(true);
    expect(await ctx.cache.setIfAbsent(key, 'second', 60_000)).toBe(false);
    expect(await ctx.cache.get(key)).toBe('first');
  });

  it('setIfAbsent lets exactly one of 100 concurrent callers win, across two clients', async () => {
    const key = unique('race');
    const other = ctx.open();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 ? other : ctx.cache).setIfAbsent(key, `caller${i}`, 60_000),
      ),
    );
    const winners = results.flatMap((won, i) => (won ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(await ctx.cache.get(key)).toBe(`caller${winners[0]}`);
    expect(await other.get(key)).toBe(`caller${winners[0]}`);
  });

  it('rejects a TTL that is not a positive number', async () => {
    for (const ttl of [0, -5, Number.NaN]) {
      await expect(ctx.cache.setIfAbsent(unique('bad'), 'v', ttl)).rejects.toThrow(RangeError);
      await expect(ctx.cache.set(unique('bad'), 'v', ttl)).rejects.toThrow(RangeError);
    }
  });

  it('increments from zero, by a delta, and downwards', async () => {
    const key = unique('count');
    expect(await ctx.cache.increment(key)).toBe(1);
    expect(await ctx.cache.increment(key, 5)).toBe(6);
    expect(await ctx.cache.increment(key, -10)).toBe(-4);
    expect(await ctx.cache.get(key)).toBe('-4');
  });

  it('counts every one of 100 concurrent increments', async () => {
    const key = unique('many');
    const other = ctx.open();
    const values = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? other : ctx.cache).increment(key, 1, 60_000)),
    );
    expect(new Set(values).size).toBe(100); // each caller saw a distinct step
    expect(await ctx.cache.get(key)).toBe('100');
  });

  it('sets the counter TTL on creation only, so later hits do not extend it', async () => {
    const key = unique('window');
    expect(await ctx.cache.increment(key, 1, ctx.shortTtlMs)).toBe(1);
    expect(await ctx.cache.increment(key, 1, 3_600_000)).toBe(2);
    await expectExpires(key, ctx.shortTtlMs);
    expect(await ctx.cache.increment(key, 1, 60_000)).toBe(1); // a fresh window
  });

  it('refuses to increment a value that is not an integer', async () => {
    const key = unique('text');
    await ctx.cache.set(key, 'abc');
    await expect(ctx.cache.increment(key)).rejects.toThrow(CacheValueError);
    expect(await ctx.cache.get(key)).toBe('abc');
    for (const text of ['007', '1.5', ' 1', '']) {
      await ctx.cache.set(key, text);
      await expect(ctx.cache.increment(key)).rejects.toThrow(CacheValueError);
    }
    await expect(ctx.cache.increment(unique('frac'), 1.5)).rejects.toThrow(RangeError);
  });

  it('a second client with the same prefix sees the first one’s keys (shared nonces)', async () => {
    const other = ctx.open();
    const key = unique('shared');
    expect(await ctx.cache.setIfAbsent(key, 'node-a', 60_000)).toBe(true);
    expect(await other.setIfAbsent(key, 'node-b', 60_000)).toBe(false);
    expect(await other.get(key)).toBe('node-a');
    await other.delete(key);
    expect(await ctx.cache.get(key)).toBeNull();
  });

  it('answers a ping', async () => {
    await expect(ctx.cache.ping()).resolves.toBeUndefined();
  });
});

describe('memory cache', () => {
  it('sweeps expired keys on writes even if they are never read again', async () => {
    const clock = new ManualClock();
    const cache = new MemoryCache(clock);
    for (let i = 0; i < 1000; i++) await cache.set(`old${i}`, 'x', 1_000);
    expect(cache.entryCount()).toBe(1000);
    clock.advance(1_000);
    // Each write examines 20 entries, so 100 writes cover all 1100 entries at least once.
    for (let i = 0; i < 100; i++) await cache.set(`new${i}`, 'y');
    expect(cache.entryCount()).toBe(100);
    await cache.close();
    await expect(cache.get('new1')).rejects.toThrow(/closed/);
  });
});

describe.skipIf(!requireService('TEST_REDIS_URL'))('redis cache', () => {
  const url = process.env.TEST_REDIS_URL as string;

  it('stores keys under its prefix with a millisecond TTL', async () => {
    const prefix = `${unique('juhepay-test')}:`;
    const cache = new RedisCache(url, prefix);
    const raw = new Redis(url);
    try {
      await cache.set('a', '1', 60_000);
      await cache.increment('b', 1, 60_000);
      expect(await raw.get(`${prefix}a`)).toBe('1');
      const pttl = await raw.pttl(`${prefix}b`);
      expect(pttl).toBeGreaterThan(50_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
    } finally {
      await cache.clear();
      await Promise.all([cache.close(), raw.quit()]);
    }
  });

  it('keeps prefixes apart, and clear() removes only its own keys even with glob characters', async () => {
    const base = unique('juhepay-test');
    const cache = new RedisCache(url, `${base}[ab]*:`);
    const stranger = new RedisCache(url, `${base}a-stranger:`); // what an unescaped glob would match
    try {
      await cache.set('k', 'mine');
      await stranger.set('k', 'theirs');
      expect(await cache.get('k')).toBe('mine');
      expect(await stranger.get('k')).toBe('theirs');
      expect(await cache.clear()).toBe(1);
      expect(await cache.get('k')).toBeNull();
      expect(await stranger.get('k')).toBe('theirs');
    } finally {
      await stranger.clear();
      await Promise.all([cache.close(), stranger.close()]);
    }
  });
});

describe('createCache', () => {
  it('is in-process without a Redis URL and Redis with one', async () => {
    const memory = createCache({ clock: new ManualClock() });
    expect(memory).toBeInstanceOf(MemoryCache);
    await memory.close();
    const redis = createCache({ redisUrl: 'redis://127.0.0.1:1', prefix: 'p:', clock: new ManualClock() });
    expect(redis).toBeInstanceOf(RedisCache);
    await redis.close();
  });
});
