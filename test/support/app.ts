import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/core/clock.js';
import { buildApp, type AppOptions } from '../../src/http/app.js';
import type { AppContext } from '../../src/http/context.js';
import { createApp } from '../../src/merchants/apps.js';
import { createInstitution, createMerchant } from '../../src/merchants/tenancy.js';
import { MemoryCache } from '../../src/platform/cache/index.js';
import type { Cache } from '../../src/platform/cache/cache.js';
import { ChannelRegistry } from '../../src/channels/registry.js';
import type { Database } from '../../src/platform/db/index.js';
import { silentLogger } from '../../src/platform/logger.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';
import { createStream } from '../../src/platform/stream/index.js';
import type { Credentials } from './signing.js';
import { createRisk, loadRiskConfig, type RiskConfig } from '../../src/risk/index.js';
import { profileSummaryReader } from '../../src/profiles/index.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  clock: ManualClock;
  credentials: Credentials;
  merchantId: string;
  close(): Promise<void>;
}

/** A full app on a test database with a merchant and an app ready to sign requests. */
export async function createTestApp(
  database: Database,
  options: AppOptions & {
    cache?: Cache;
    clock?: ManualClock;
    box?: SecretBox;
    channels?: ChannelRegistry;
    publicUrl?: string;
    sleep?: (ms: number) => Promise<void>;
    /** risk engine settings (default: the defaults); false = no risk engine */
    risk?: RiskConfig | false;
  } = {},
): Promise<TestApp> {
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 10, 25, 8, 0, 0));
  const box = options.box ?? new SecretBox(generateMasterKey());
  const cache = options.cache ?? new MemoryCache(clock);
  const stream = await createStream({});
  const risk =
    options.risk === false
      ? undefined
      : await createRisk({
          db: database.db,
          cache,
          clock,
          logger: silentLogger,
          config: options.risk ?? loadRiskConfig({}),
          profile: profileSummaryReader(cache), // as src/cli/boot.ts wires it
        });
  const ctx: AppContext = {
    db: database.db,
    engine: database.engine,
    cache,
    stream,
    clock,
    logger: silentLogger,
    box,
    metrics: createMetrics(),
    adminToken: TEST_ADMIN_TOKEN,
    publicUrl: options.publicUrl ?? 'http://127.0.0.1:3000',
    channels: options.channels ?? new ChannelRegistry({ get: async () => undefined }),
    // Inline waits move the test clock; a real millisecond lets timers and sockets run.
    sleep:
      options.sleep ??
      (async (ms) => {
        clock.advance(ms);
        await new Promise((r) => setTimeout(r, 1));
      }),
    lifecycle: { shuttingDown: false },
    risk,
  };
  const institution = await createInstitution(database.db, 'Test Bank', clock);
  const merchant = await createMerchant(
    database.db,
    { name: 'Test Shop', institutionId: institution.id },
    clock,
  );
  const credentials = await createApp(database.db, box, { merchantId: merchant.id, name: 'test' }, clock);
  const app = await buildApp(ctx, options);
  await app.ready();
  return {
    app,
    ctx,
    clock,
    credentials,
    merchantId: merchant.id,
    close: async () => {
      await app.close();
      await risk?.flush();
      await stream.close();
      if (!options.cache) await cache.close();
    },
  };
}
