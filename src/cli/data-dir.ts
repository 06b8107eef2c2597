import path from 'node:path';
import type { Config } from '../platform/config.js';

/** Where the embedded database lives inside the data folder. */
export function pgliteDir(config: Config): string {
  return path.join(config.dataDir, 'pgdata');
}
