import type { Clock } from '../core/clock.js';
import type { Cache } from '../platform/cache/cache.js';
import type { Queryable } from '../platform/db/index.js';
import type { SecretBox } from '../platform/secret-box.js';
import { findAppForAuth, type AuthApp } from './apps.js';

/**
 * The one per-process cache of apps with their secrets opened, for merchant authentication and
 * webhook signing: reading and decrypting the app on every request or delivery was most of their
 * cost (bench/http-auth). Each entry remembers the app's version counter in the shared cache
 * (Redis in production), which every change to an app bumps (`appChanged`), so a disable or a
 * secret rotation takes effect at once on every node. Entries also expire after a minute, a bound
 * on staleness should a bump be lost (or when no shared cache is given: then the minute is all).
 */

const versionKey = (appId: string) => `app_version:${appId}`;

export interface AppSecretsSource {
  db: Queryable;
  box: SecretBox;
  clock: Clock;
  /** the shared cache holding the version counters; without it entries only expire */
  cache?: Cache | undefined;
}

interface Entry {
  app: AuthApp;
  version: string | null;
  loadedAt: number;
}

export class AppSecrets {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly source: AppSecretsSource,
    private readonly maxAgeMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  async get(appId: string): Promise<AuthApp | undefined> {
    const { db, box, clock, cache } = this.source;
    const version = cache ? await cache.get(versionKey(appId)) : null;
    const now = clock.nowMs();
    const hit = this.entries.get(appId);
    if (hit && hit.version === version && now - hit.loadedAt < this.maxAgeMs) return hit.app;
    const app = await findAppForAuth(db, box, appId);
    if (!app) return undefined; // unknown ids are not kept: a new app works at once, sprays fill nothing
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(appId, { app, version, loadedAt: now });
    return app;
  }
}

/** Tells every node's cache that an app changed (status, secret); call after commit. */
export async function appChanged(cache: Cache, appId: string): Promise<void> {
  await cache.increment(versionKey(appId));
}
