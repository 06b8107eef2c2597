import { Redis } from 'ioredis';
import type { Cache } from './cache.js';
import { CacheValueError, checkDelta, checkTtl } from './validate.js';

/**
 * INCRBY that sets the TTL only when this call created the key, in one atomic step: a separate
 * INCRBY + PEXPIRE could leave a counter without TTL if the process died in between, and would
 * push the expiry forward on every hit (a sliding window instead of a fixed one).
 */
const INCREMENT_SCRIPT = `
local created = redis.call('EXISTS', KEYS[1]) == 0
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value
`;

type WithIncrement = Redis & {
  juhepayIncrement(key: string, delta: number, ttlMs: string): Promise<number>;
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
  private readonly redis: WithIncrement;

  constructor(
    url: string,
    readonly prefix = 'juhepay:',
    options: RedisCacheOptions = {},
  ) {
    const redis = new Redis(url, { maxRetriesPerRequest: options.maxRetriesPerRequest ?? 3 });
    // Failures surface as rejected commands; ioredis reconnects by itself. Without a listener,
    // every reconnect attempt would print "Unhandled error event".
    redis.on('error', () => undefined);
    redis.defineCommand('juhepayIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    this.redis = redis as WithIncrement;
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.key(key));
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
