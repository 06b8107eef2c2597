import type { Clock } from '../../core/clock.js';
import type { Cache } from './cache.js';
import { MemoryCache } from './memory.js';
import { RedisCache } from './redis.js';

export type { Cache } from './cache.js';
export { MemoryCache } from './memory.js';
export { RedisCache, type RedisCacheOptions } from './redis.js';
export { CacheValueError } from './validate.js';

export interface CacheOptions {
  /** redis://… ; unset means the in-process cache (embedded mode). */
  redisUrl?: string | undefined;
  /** Namespace for every Redis key; nodes that must share state use the same prefix. */
  prefix?: string | undefined;
  /** TTL clock of the in-process cache. Redis expires keys on its own server clock. */
  clock: Clock;
}

export function createCache(options: CacheOptions): Cache {
  if (options.redisUrl) return new RedisCache(options.redisUrl, options.prefix ?? 'juhepay:');
  return new MemoryCache(options.clock);
}
