/**
 * The cache: nonces, lists, counters and the serving cache. In-process in embedded mode, Redis in
 * production, same contract (test/integration/cache-contract.test.ts runs on both).
 * Keys are plain strings; each implementation may add its own namespace prefix.
 */
export interface Cache {
  get(key: string): Promise<string | null>;
  /** Several keys in one round trip (MGET); null where absent. */
  getMany(keys: readonly string[]): Promise<Array<string | null>>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only if absent; true when this call set it. The atomic step behind nonce replay checks. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Adds delta to an integer counter (created at 0), sets its TTL when created; returns the new value. */
  increment(key: string, delta?: number, ttlMs?: number): Promise<number>;
  /**
   * Exact sliding window (a sorted set in Redis, one Lua script, atomic): drops members at or before
   * `nowMs - keepMs`, adds `add` when given (the same member again only moves its time), and
   * returns, per window, the count and the amount sum of members with a time in (now - w, now].
   */
  window(key: string, op: WindowOp): Promise<WindowTotals[]>;
  /**
   * A shared map with a version counter, changed together atomically: sets (string) or deletes
   * (null) fields and returns the new version. The version lives at `<map>:version`.
   */
  mapWrite(map: string, changes: Readonly<Record<string, string | null>>): Promise<number>;
  /** The whole map and its version, read atomically (version 0 = never written). */
  mapRead(map: string): Promise<{ version: number; entries: Record<string, string> }>;
  /** Distinct values seen under key (HyperLogLog in Redis: ±0.81 %), TTL set on creation. */
  distinct(key: string, value: string, ttlMs: number): Promise<number>;
  /**
   * Distinct values over a sliding window, kept in time buckets (HyperLogLog per bucket in Redis:
   * PFADD into the current one, PFCOUNT of the union, ±0.81 %; exact sets in memory). Adds
   * `op.add` when given and returns how many different values the buckets covering
   * (now - window, now] hold — the oldest bucket may reach back up to one bucket further.
   */
  distinctWindow(key: string, op: DistinctOp): Promise<number>;
  /** Called after the connection to a shared cache came back: local copies may be stale. */
  onReconnect(listener: () => void): void;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface WindowOp {
  nowMs: number;
  /** how long members are kept: at least the longest window read from this key */
  keepMs: number;
  add?: { member: string; atMs: number; amount: number } | undefined;
  windowsMs: readonly number[];
}

export interface DistinctOp {
  nowMs: number;
  windowMs: number;
  /** bucket length; the window is covered by ceil(window / bucket) + 1 buckets */
  bucketMs: number;
  add?: string | undefined;
}

/** The bucket keys covering a window, oldest first (the last one is the current bucket). */
export function distinctBuckets(key: string, op: DistinctOp): string[] {
  const current = Math.floor(op.nowMs / op.bucketMs);
  const n = Math.ceil(op.windowMs / op.bucketMs) + 1;
  return Array.from({ length: n }, (_, i) => `${key}:${op.bucketMs}:${current - n + 1 + i}`);
}

export interface WindowTotals {
  count: number;
  sum: number;
}
