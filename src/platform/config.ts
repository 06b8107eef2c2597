import path from 'node:path';

/** Everything the process reads from the environment, parsed once and checked (CONTRACT §1). */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  natsUrl: string | undefined;
  /** NATS_STREAM_PREFIX: JetStream stream, subject and consumer names (default JUHEPAY) */
  natsStreamPrefix: string;
  /** REDIS_KEY_PREFIX: namespace of every Redis key (default `juhepay:`); nodes of one installation share it */
  redisKeyPrefix: string;
  sandbox: boolean;
  sandboxPort: number;
  /** channel delays in the sandbox (retry schedules, payment waits) are divided by this */
  sandboxTimeScale: number;
  adminToken: string | undefined;
  masterKey: string | undefined;
  logLevel: string;
  demo: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 0 || value > 65535) {
    throw new ConfigError(name, `must be a port number 0…65535, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

function positiveNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigError(name, `must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be 1 or 0, got ${JSON.stringify(raw)}`);
}

export function loadConfig(env: Env = process.env): Config {
  const port_ = port(env, 'PORT', 3000);
  const host = env.HOST || '127.0.0.1';
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const publicUrl = (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://${host}:${port_}`).replace(
    /\/$/,
    '',
  );
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const masterKey = env.JUHEPAY_MASTER_KEY || undefined;
  if (masterKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(masterKey)) {
    throw new ConfigError('JUHEPAY_MASTER_KEY', 'must be 64 hex characters (32 bytes)');
  }
  const adminToken = env.JUHEPAY_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('JUHEPAY_ADMIN_TOKEN', 'must be at least 16 characters');
  }
  const natsStreamPrefix = env.NATS_STREAM_PREFIX || 'JUHEPAY';
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(natsStreamPrefix)) {
    throw new ConfigError(
      'NATS_STREAM_PREFIX',
      'must be 1-32 letters, digits, _ or -, starting with a letter',
    );
  }
  const redisKeyPrefix = env.REDIS_KEY_PREFIX || 'juhepay:';
  if (!/^[A-Za-z0-9_:.-]{1,64}$/.test(redisKeyPrefix)) {
    throw new ConfigError('REDIS_KEY_PREFIX', 'must be 1-64 letters, digits or _ : . -');
  }
  return {
    port: port_,
    host,
    publicUrl,
    dataDir: path.resolve(env.JUHEPAY_DATA_DIR || '.juhepay'),
    databaseUrl,
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    natsUrl: url(env, 'NATS_URL', ['nats:', 'tls:']),
    natsStreamPrefix,
    redisKeyPrefix,
    sandbox: flag(env, 'SANDBOX', databaseUrl === undefined),
    sandboxPort: port(env, 'SANDBOX_PORT', 3100),
    sandboxTimeScale: positiveNumber(env, 'SANDBOX_TIME_SCALE', 1),
    adminToken,
    masterKey,
    logLevel,
    demo: flag(env, 'JUHEPAY_DEMO', true),
  };
}
