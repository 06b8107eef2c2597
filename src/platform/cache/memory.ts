import type { Clock } from '../../core/clock.js';
import { distinctBuckets, type Cache, type DistinctOp, type WindowOp, type WindowTotals } from './cache.js';
import { SlidingWindow } from './sliding-window.js';
import { CacheValueError, checkDelta, checkTtl } from './validate.js';

interface Entry {
  value: string;
  /** epoch ms from the injected clock; undefined = no TTL */
  expiresAt: number | undefined;
}

/** Entries looked at per write by the incremental sweep (like Redis's active expiry). */
const SWEEP_STEP = 20;

/**
 * In-process cache for embedded mode (one process, so "shared across nodes" is trivially true).
 * TTLs are measured on the injected Clock, not wall time: tests expire keys by advancing a
 * ManualClock. (The Redis cache expires on the Redis server's clock instead.)
 *
 * Expired keys behave as absent as soon as the clock passes them (lazy check on every read);
 * each write also sweeps a few entries, resuming where the previous sweep stopped, so keys that
 * are never read again are still reclaimed and memory stays proportional to live keys.
 */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly windows = new Map<string, SlidingWindow>();
  private readonly maps = new Map<string, Map<string, string>>();
  private readonly distincts = new Map<string, { values: Set<string>; expiresAt: number }>();
  private cursor: Iterator<[string, Entry]> | undefined;
  private distinctOps = 0;
  private closed = false;

  constructor(private readonly clock: Clock) {}

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async getMany(keys: readonly string[]): Promise<Array<string | null>> {
    return keys.map((key) => this.live(key)?.value ?? null);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.write(key, value, ttlMs === undefined ? undefined : checkTtl(ttlMs));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = checkTtl(ttlMs);
    if (this.live(key)) return false;
    this.write(key, value, ttl);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.open();
    this.entries.delete(key);
  }

  async increment(key: string, delta = 1, ttlMs?: number): Promise<number> {
    checkDelta(delta);
    const ttl = ttlMs === undefined ? undefined : checkTtl(ttlMs);
    const entry = this.live(key);
    if (!entry) {
      this.write(key, String(delta), ttl);
      return delta;
    }
    if (!/^(0|-?[1-9]\d*)$/.test(entry.value)) throw new CacheValueError(key); // what Redis accepts
    const next = Number(entry.value) + delta;
    if (!Number.isSafeInteger(next)) throw new CacheValueError(key);
    entry.value = String(next); // keeps its TTL: the TTL is set only on creation
    return next;
  }

  async window(key: string, op: WindowOp): Promise<WindowTotals[]> {
    this.open();
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = new SlidingWindow()));
    const totals = window.apply(op);
    if (window.size === 0) this.windows.delete(key); // what Redis does with an empty sorted set
    return totals;
  }

  async mapWrite(map: string, changes: Readonly<Record<string, string | null>>): Promise<number> {
    this.open();
    let fields = this.maps.get(map);
    if (!fields) this.maps.set(map, (fields = new Map()));
    for (const [field, value] of Object.entries(changes)) {
      if (value === null) fields.delete(field);
      else fields.set(field, value);
    }
    return this.increment(`${map}:version`);
  }

  async mapRead(map: string): Promise<{ version: number; entries: Record<string, string> }> {
    const version = Number((await this.get(`${map}:version`)) ?? 0);
    return { version, entries: Object.fromEntries(this.maps.get(map) ?? []) };
  }

  async distinct(key: string, value: string, ttlMs: number): Promise<number> {
    const ttl = checkTtl(ttlMs);
    this.open();
    const now = this.clock.nowMs();
    let seen = this.distincts.get(key);
    if (!seen || seen.expiresAt <= now)
      this.distincts.set(key, (seen = { values: new Set(), expiresAt: now + ttl }));
    seen.values.add(value);
    return seen.values.size;
  }

  /** The exact equivalent of the Redis buckets: one set per bucket, the union counted. */
  async distinctWindow(key: string, op: DistinctOp): Promise<number> {
    this.open();
    const keys = distinctBuckets(key, op);
    const ttl = op.windowMs + 2 * op.bucketMs;
    if (op.add !== undefined && op.add !== '') {
      const current = keys[keys.length - 1]!;
      let bucket = this.distincts.get(current);
      if (!bucket || bucket.expiresAt <= op.nowMs)
        this.distincts.set(current, (bucket = { values: new Set(), expiresAt: op.nowMs + ttl }));
      bucket.values.add(op.add);
      bucket.expiresAt = op.nowMs + ttl;
    }
    if (++this.distinctOps % 1_000 === 0)
      for (const [k, b] of this.distincts) if (b.expiresAt <= op.nowMs) this.distincts.delete(k);
    const union = new Set<string>();
    for (const k of keys) {
      const bucket = this.distincts.get(k);
      if (!bucket) continue;
      if (bucket.expiresAt <= op.nowMs) this.distincts.delete(k);
      else for (const v of bucket.values) union.add(v);
    }
    return union.size;
  }

  onReconnect(): void {
    // one process: there is no connection to lose
  }

  async ping(): Promise<void> {
    this.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
    this.windows.clear();
    this.maps.clear();
    this.distincts.clear();
  }

  /** Entries held, expired-but-unswept included; for tests and metrics. */
  entryCount(): number {
    return this.entries.size;
  }

  private live(key: string): Entry | undefined {
    this.open();
    const entry = this.entries.get(key);
    if (entry && this.expired(entry, this.clock.nowMs())) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, value: string, ttlMs: number | undefined): void {
    this.open();
    const expiresAt = ttlMs === undefined ? undefined : this.clock.nowMs() + ttlMs;
    this.entries.set(key, { value, expiresAt });
    this.sweep();
  }

  private expired(entry: Entry, now: number): boolean {
    return entry.expiresAt !== undefined && entry.expiresAt <= now;
  }

  private sweep(): void {
    const now = this.clock.nowMs();
    for (let i = 0; i < SWEEP_STEP; i++) {
      // Map iterators are live: deleting while iterating is safe, new keys are visited later.
      this.cursor ??= this.entries.entries();
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = undefined;
        return;
      }
      const [key, entry] = next.value;
      if (this.expired(entry, now)) this.entries.delete(key);
    }
  }

  private open(): void {
    if (this.closed) throw new Error('cache is closed');
  }
}
