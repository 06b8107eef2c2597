import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { distinctBuckets, type Cache, type DistinctOp, type WindowOp, type WindowTotals } from './cache.js';
import {
  DISTINCT_SCRIPT,
  DISTINCT_WINDOW_SCRIPT,
  INCREMENT_SCRIPT,
  MAP_WRITE_SCRIPT,
  WINDOW_SCRIPT,
} from './redis-scripts.js';
import { CacheValueError, checkDelta, checkTtl } from './validate.js';

/** ioredis loads on the first Redis cache, so an embedded start (in-process cache) never pays for it. */
function loadIoredis(): typeof import('ioredis') {
  return createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
}

type WithScripts = Redis & {
  juhepayIncrement(key: string, delta: number, ttlMs: string): Promise<number>;
  juhepayWindow(zset: string, amounts: string, ...args: Array<string | number>): Promise<number[]>;
  juhepayMapWrite(hash: string, version: string, ...args: string[]): Promise<number>;
  juhepayDistinct(key: string, value: string, ttlMs: number): Promise<number>;
  juhepayDistinctWindow(n: number, ...args: Array<string | number>): Promise<number>;
};

export interface RedisCacheOptions {
  /** How many times ioredis resends a command across reconnects before rejecting it. */
  maxRetriesPerRequest?: number;
}

/**
 * Redis cache for production: every node with the same prefix shares keys, which is what makes
 * nonces, lists and counters hold across nodes. TTLs run on the Redis server's clock, not the
 * injected Clock (an expiry can't be moved from a test; poll for it instead).
 *
 * The prefix is applied by hand rather than with ioredis's keyPrefix so that it is visible in
 * one place and SCAN-based cleanup (which keyPrefix does not rewrite) uses the same rule.
 */
export class RedisCache implements Cache {
  private readonly redis: WithScripts;
  private readonly reconnectListeners: Array<() => void> = [];

  constructor(
    url: string,
    readonly prefix = 'juhepay:',
    options: RedisCacheOptions = {},
  ) {
    const redis = new (loadIoredis().Redis)(url, { maxRetriesPerRequest: options.maxRetriesPerRequest ?? 3 });
    // Failures surface as rejected commands; ioredis reconnects by itself. Without a listener,
    // every reconnect attempt would print "Unhandled error event".
    redis.on('error', () => undefined);
    redis.defineCommand('juhepayIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    redis.defineCommand('juhepayWindow', { numberOfKeys: 2, lua: WINDOW_SCRIPT });
    // the number of bucket keys varies: passed first (ioredis reads it as numberOfKeys)
    redis.defineCommand('juhepayDistinctWindow', { lua: DISTINCT_WINDOW_SCRIPT });
    redis.defineCommand('juhepayMapWrite', { numberOfKeys: 2, lua: MAP_WRITE_SCRIPT });
    redis.defineCommand('juhepayDistinct', { numberOfKeys: 1, lua: DISTINCT_SCRIPT });
    // 'ready' after the first one means the connection was lost and came back: writes made by
    // other nodes meanwhile may have been missed by listeners (pub/sub), so they drop local copies.
    let readyBefore = false;
    redis.on('ready', () => {
      if (readyBefore) for (const listener of this.reconnectListeners) listener();
      readyBefore = true;
    });
    this.redis = redis as WithScripts;
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.key(key));
  }

  async getMany(keys: readonly string[]): Promise<Array<string | null>> {
    if (keys.length === 0) return [];
    return this.redis.mget(...keys.map((k) => this.key(k)));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    // A plain SET also clears an earlier TTL, same as the memory cache.
    if (ttlMs === undefined) await this.redis.set(this.key(key), value);
    else await this.redis.set(this.key(key), value, 'PX', checkTtl(ttlMs));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const reply = await this.redis.set(this.key(key), value, 'PX', checkTtl(ttlMs), 'NX');
    return reply === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  async increment(key: string, delta = 1, ttlMs?: number): Promise<number> {
    checkDelta(delta);
    const ttl = ttlMs === undefined ? '' : String(checkTtl(ttlMs));
    try {
      return await this.redis.juhepayIncrement(this.key(key), delta, ttl);
    } catch (error) {
      if (error instanceof Error && /not an integer|out of range|overflow/.test(error.message))
        throw new CacheValueError(key);
      throw error;
    }
  }

  async window(key: string, op: WindowOp): Promise<WindowTotals[]> {
    const add = op.add;
    const flat = await this.redis.juhepayWindow(
      this.key(key),
      this.key(`${key}:amounts`),
      Math.round(op.nowMs),
      Math.ceil(op.keepMs),
      add ? add.member : '',
      add ? Math.round(add.atMs) : 0,
      add ? add.amount : 0,
      op.windowsMs.length,
      ...op.windowsMs.map((w) => Math.round(w)),
    );
    return op.windowsMs.map((_, i) => ({ count: Number(flat[2 * i]), sum: Number(flat[2 * i + 1]) }));
  }

  async mapWrite(map: string, changes: Readonly<Record<string, string | null>>): Promise<number> {
    const args = Object.entries(changes).flatMap(([field, value]) =>
      value === null ? [field, '', '1'] : [field, value, '0'],
    );
    return Number(await this.redis.juhepayMapWrite(this.key(map), this.key(`${map}:version`), ...args));
  }

  async mapRead(map: string): Promise<{ version: number; entries: Record<string, string> }> {
    const replies = await this.redis
      .multi()
      .get(this.key(`${map}:version`))
      .hgetall(this.key(map))
      .exec();
    if (!replies) throw new Error('redis transaction aborted');
    for (const [error] of replies) if (error) throw error;
    const version = Number((replies[0]![1] as string | null) ?? 0);
    return { version, entries: replies[1]![1] as Record<string, string> };
  }

  async distinct(key: string, value: string, ttlMs: number): Promise<number> {
    return Number(await this.redis.juhepayDistinct(this.key(key), value, checkTtl(ttlMs)));
  }

  async distinctWindow(key: string, op: DistinctOp): Promise<number> {
    const keys = distinctBuckets(key, op).map((k) => this.key(k));
    return Number(
      await this.redis.juhepayDistinctWindow(
        keys.length,
        ...keys,
        op.add ?? '',
        Math.ceil(op.windowMs + 2 * op.bucketMs),
      ),
    );
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    // QUIT lets queued replies arrive first; a client still (re)connecting has nothing to flush.
    if (this.redis.status === 'ready') await this.redis.quit();
    else this.redis.disconnect();
  }

  /** Deletes every key under this cache's prefix (tests, and resetting a sandbox). */
  async clear(): Promise<number> {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${escapeGlob(this.prefix)}*`,
        'COUNT',
        500,
      );
      cursor = next;
      if (keys.length > 0) removed += await this.redis.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  }

  private key(key: string): string {
    return this.prefix + key;
  }
}

/** SCAN MATCH is a glob: a prefix containing * ? [ ] \ must not widen the match. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
