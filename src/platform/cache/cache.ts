/**
 * The cache: nonces, lists, counters and the serving cache. In-process in embedded mode, Redis in
 * production, same contract (test/integration/cache-contract.test.ts runs on both).
 * Keys are plain strings; each implementation may add its own namespace prefix.
 */
export interface Cache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only if absent; true when this call set it. The atomic step behind nonce replay checks. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Adds delta to an integer counter (created at 0), sets its TTL when created; returns the new value. */
  increment(key: string, delta?: number, ttlMs?: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
