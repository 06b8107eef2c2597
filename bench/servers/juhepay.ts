import { ChannelRegistry } from '../../src/channels/registry.js';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../src/core/clock.js';
import { buildApp } from '../../src/http/app.js';
import type { AppContext } from '../../src/http/context.js';
import { createApp } from '../../src/merchants/apps.js';
import { createInstitution, createMerchant } from '../../src/merchants/tenancy.js';
import { MemoryCache } from '../../src/platform/cache/index.js';
import { migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { silentLogger } from '../../src/platform/logger.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';
import { createStream } from '../../src/platform/stream/index.js';
import { serveChild } from './protocol.js';

/**
 * The real app as embedded mode runs it (PGlite in memory, in-process cache and stream), with
 * one merchant and one app so the parent can sign requests. Logging is silent: the request log
 * line is debug level, which a production logger at info drops as well.
 */
const database = await openDatabase({});
await migrateToLatest(database.db);
const cache = new MemoryCache(systemClock);
const stream = await createStream({});
const box = new SecretBox(generateMasterKey());
const ctx: AppContext = {
  db: database.db,
  engine: database.engine,
  cache,
  stream,
  clock: systemClock,
  logger: silentLogger,
  box,
  metrics: createMetrics(),
  adminToken: 'bench-admin-token-0123456789',
  publicUrl: 'http://127.0.0.1',
  lifecycle: { shuttingDown: false },
  channels: new ChannelRegistry({ get: async () => undefined }),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
const institution = await createInstitution(database.db, 'Bench Bank', systemClock);
const merchant = await createMerchant(
  database.db,
  { name: 'Bench Shop', institutionId: institution.id },
  systemClock,
);
const credentials = await createApp(
  database.db,
  box,
  { merchantId: merchant.id, name: 'bench' },
  systemClock,
);

const app = await buildApp(ctx);
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address() as AddressInfo;
serveChild({ port, credentials }, async () => {
  await app.close();
  await stream.close();
  await cache.close();
  await database.close();
});
