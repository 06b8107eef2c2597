#!/usr/bin/env node
import { systemClock } from '../core/clock.js';
import { ConfigError, loadConfig, type Config } from '../platform/config.js';
import { openDatabase } from '../platform/db/index.js';
import { createLogger, type Logger } from '../platform/logger.js';
import type { Runtime } from './boot.js';
import { pgliteDir } from './data-dir.js';
import { HELP } from './help.js';

// Commands load their modules when they run: `start` begins opening the database first and loads
// the rest of the server meanwhile, instead of after every command's imports were evaluated.
const boot: typeof import('./boot.js').boot = async (...args) => (await import('./boot.js')).boot(...args);
const background = () => import('./background.js');
import type { RunningSandbox } from '../sandbox/start.js';

const print = (line = '') => process.stdout.write(`${line}\n`);

function modeLine(config: Config): string {
  if (!config.databaseUrl) {
    return `embedded mode: PGlite in ${pgliteDir(config)} — for trying and development only (PGlite does not fsync; use DATABASE_URL in production)`;
  }
  const parts = [
    `PostgreSQL`,
    config.redisUrl ? 'Redis' : 'in-process cache',
    config.natsUrl ? 'NATS JetStream' : 'in-process stream',
  ];
  return `production mode: ${parts.join(', ')}`;
}

/** Stops cleanly on SIGTERM/SIGINT: refuse new work, finish what is in flight, close connections. */
function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

async function start(config: Config, logger: Logger): Promise<void> {
  print(`JuhePay — ${modeLine(config)}`);
  // the database opens (PGlite compiles its WebAssembly off the main thread) while the sandbox starts
  // and the HTTP modules load: a warm start waits for the slowest of the three, not their sum
  const opening = openDatabase({ url: config.databaseUrl, dataDir: pgliteDir(config) });
  opening.catch(() => undefined); // boot awaits it; a failure must not go unhandled meanwhile
  const [runtime, sandbox, { buildApp }] = await Promise.all([
    boot(config, logger, systemClock, opening),
    config.sandbox ? startSandboxFor(config, logger) : undefined,
    import('../http/app.js'),
  ]);
  const { ctx } = runtime;
  const app = await buildApp(ctx);
  await app.listen({ port: config.port, host: config.host });
  const jobs = (await background()).startBackground(runtime, logger);
  // from here a SIGTERM stops cleanly, even while the demo tenant below is still being seeded
  onShutdown(logger, async () => {
    ctx.lifecycle.shuttingDown = true;
    await app.close();
    await jobs.stop();
    await sandbox?.close();
    await runtime.close();
  });

  print(`  merchant API    ${config.publicUrl}/v1`);
  print(`  admin API       ${config.publicUrl}/admin/v1`);
  print(`  API docs        ${config.publicUrl}/docs`);
  print(
    `  health          ${config.publicUrl}/healthz  ${config.publicUrl}/readyz  ${config.publicUrl}/metrics`,
  );
  if (sandbox)
    print(
      `  sandbox         ${sandbox.url} (channel simulators; credentials at ${sandbox.url}/sandbox/credentials)`,
    );
  else print('  sandbox         off (SANDBOX=1 starts the channel simulators in this process)');
  if (config.demo) await seedDemo(config, runtime, sandbox);
  if (runtime.masterKeyGenerated)
    print(`  master key      generated into ${config.dataDir}/master.key — back it up`);
}

/** The demo tenant and demo.json; a stop that arrives meanwhile ends it quietly. */
async function seedDemo(
  config: Config,
  runtime: Runtime,
  sandbox: RunningSandbox | undefined,
): Promise<void> {
  const { ctx } = runtime;
  const sandboxUrl = sandbox?.url ?? `http://${config.host}:${config.sandboxPort}`;
  try {
    const { demoFile, ensureDemoTenant, writeDemoFile } = await import('../demo/tenant.js');
    const { record, secret } = await ensureDemoTenant(
      ctx.db,
      ctx.box,
      ctx.clock,
      sandbox ? { url: sandbox.url, keys: sandbox.keys } : undefined,
    );
    const file = writeDemoFile(
      config.dataDir,
      demoFile(record, secret, ctx.adminToken, config.publicUrl, sandboxUrl),
    );
    print(`  demo merchant   ${record.merchant_id} (app ${record.app_id}); credentials in ${file}`);
    if (record.plates.bound[0] && sandbox)
      print(
        `  try it          ${config.publicUrl}/q/${record.plates.bound[0]}  (a bound plate: open it on a phone, or with a WeChat/Alipay User-Agent)`,
      );
  } catch (error) {
    if (!ctx.lifecycle.shuttingDown) throw error;
  }
}

async function startSandboxFor(config: Config, logger: Logger): Promise<RunningSandbox> {
  const { startSandbox } = await import('../sandbox/start.js');
  return startSandbox({
    dataDir: config.dataDir,
    host: config.host,
    port: config.sandboxPort,
    timeScale: config.sandboxTimeScale,
    clock: systemClock,
    logger,
  });
}

async function sandboxOnly(config: Config, logger: Logger): Promise<void> {
  const sandbox = await startSandboxFor(config, logger);
  print(
    `JuhePay sandbox — channel simulators at ${sandbox.url}; credentials at ${sandbox.url}/sandbox/credentials`,
  );
  onShutdown(logger, () => sandbox.close());
}

async function worker(config: Config, logger: Logger): Promise<void> {
  const runtime: Runtime = await boot(config, logger, systemClock);
  const jobs = (await background()).startBackground(runtime, logger);
  print(`JuhePay worker — ${modeLine(config)}; jobs and outbox relay running`);
  onShutdown(logger, async () => {
    await jobs.stop();
    await runtime.close();
  });
}

async function migrate(config: Config): Promise<void> {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: pgliteDir(config) });
  try {
    const { migrateDatabase } = await import('./migrate.js'); // the channels load only for this command
    const applied = await migrateDatabase(database.db);
    print(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  if (['help', '--help', '-h'].includes(command)) {
    print(HELP);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  switch (command) {
    case 'start':
      await start(config, logger);
      return -1;
    case 'worker':
      await worker(config, logger);
      return -1;
    case 'migrate':
      await migrate(config);
      return 0;
    case 'sandbox':
      await sandboxOnly(config, logger);
      return -1;
    case 'request':
      return (await import('./request.js')).signedRequest(config, argv.slice(1));
    case 'plates':
      return (await import('./plates.js')).platesCommand(config, argv.slice(1));
    case 'risk':
      return (await import('./risk.js')).riskCommand(config, argv.slice(1));
    case 'settle':
      return (await import('./settle.js')).settleCommand(config, argv.slice(1));
    case 'profiles':
      return (await import('./profiles.js')).profilesCommand(config, argv.slice(1));
    case 'reconcile':
      return (await import('./reconcile.js')).reconcileCommand(config, logger, argv.slice(1));
    default:
      process.stderr.write(`juhepay: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`juhepay: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`juhepay: could not start: ${message}\n`);
    process.exit(1);
  },
);
