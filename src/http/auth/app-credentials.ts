import { findAppForAuth, type AuthApp } from '../../merchants/apps.js';
import type { Cache } from '../../platform/cache/cache.js';
import type { Db } from '../../platform/db/index.js';
import type { SecretBox } from '../../platform/secret-box.js';

/**
 * Authentication's view of apps, kept per process: reading and decrypting the app on every
 * request was most of the cost of a signed call (bench/http-auth). Each entry remembers the app's
 * version counter in the shared cache (Redis in production), which every change to an app bumps
 * (`appChanged`), so a disable or a secret rotation takes effect at once on every node. Entries
 * also expire after a minute, a bound on staleness should a bump ever be lost.
 */

const versionKey = (appId: string) => `app_version:${appId}`;

interface Entry {
  app: AuthApp;
  version: string | null;
  loadedAt: number;
}

export class AppCredentials {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly cache: Cache,
    private readonly maxAgeMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  async get(appId: string): Promise<AuthApp | undefined> {
    const version = await this.cache.get(versionKey(appId));
    const hit = this.entries.get(appId);
    if (hit && hit.version === version && Date.now() - hit.loadedAt < this.maxAgeMs) return hit.app;
    const app = await findAppForAuth(this.db, this.box, appId);
    if (!app) return undefined; // unknown ids are not kept: a new app works at once, sprays fill nothing
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(appId, { app, version, loadedAt: Date.now() });
    return app;
  }
}

/** Tells every node's authentication that an app changed (status, secret); call after commit. */
export async function appChanged(cache: Cache, appId: string): Promise<void> {
  await cache.increment(versionKey(appId));
}
