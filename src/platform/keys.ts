import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { randomToken } from '../core/ids.js';
import { ConfigError, type Config } from './config.js';
import type { Db } from './db/index.js';
import { SecretBox, generateMasterKey } from './secret-box.js';
import { getOrCreateSetting } from './settings.js';

/** The master key: JUHEPAY_MASTER_KEY, else `<data dir>/master.key`, generated on first start. */
export function loadMasterKey(config: Pick<Config, 'masterKey' | 'dataDir'>): {
  key: string;
  generated: boolean;
} {
  if (config.masterKey) return { key: config.masterKey.toLowerCase(), generated: false };
  const file = path.join(config.dataDir, 'master.key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(key))
      throw new ConfigError('JUHEPAY_MASTER_KEY', `${file} does not hold a 64-hex-character key`);
    return { key, generated: false };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = generateMasterKey();
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, generated: true };
}

/** Refuses to run with a master key other than the one this database's secrets were sealed with. */
export async function checkMasterKey(db: Db, box: SecretBox, clock: Clock): Promise<void> {
  const stored = await getOrCreateSetting(db, 'master_key_fingerprint', clock, async () => box.fingerprint());
  if (stored !== box.fingerprint()) {
    throw new ConfigError(
      'JUHEPAY_MASTER_KEY',
      'is not the key this database was created with (its secrets cannot be read)',
    );
  }
}

/** The admin token: JUHEPAY_ADMIN_TOKEN, else one generated once and kept sealed in the database. */
export async function resolveAdminToken(
  db: Db,
  box: SecretBox,
  configured: string | undefined,
  clock: Clock,
): Promise<string> {
  if (configured) return configured;
  const sealed = await getOrCreateSetting(db, 'admin_token', clock, async () =>
    box.seal(randomToken(32), 'admin_token'),
  );
  return box.open(sealed, 'admin_token');
}
