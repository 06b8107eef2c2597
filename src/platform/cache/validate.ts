/** Argument checks shared by both caches, so both reject the same inputs the same way. */

export function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0)
    throw new RangeError(`cache TTL must be a positive number of ms, got ${ttlMs}`);
  // Redis PX takes whole milliseconds; round up so a TTL never ends early.
  return Math.ceil(ttlMs);
}

export function checkDelta(delta: number): number {
  if (!Number.isSafeInteger(delta))
    throw new RangeError(`cache increment must be a safe integer, got ${delta}`);
  return delta;
}

export class CacheValueError extends Error {
  constructor(key: string) {
    super(`cache value at ${JSON.stringify(key)} is not an integer`);
    this.name = 'CacheValueError';
  }
}
