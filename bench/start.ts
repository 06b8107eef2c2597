import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fmtRatio, median, printTable } from './lib/stats.js';

/**
 * How long `npm start` takes until /readyz answers 200: cold (a new data folder: the embedded
 * database is created and migrated, sandbox keys generated) and warm (the folder exists, no source
 * changed, so the build step is a fingerprint check). The limit for warm is 3 s; the reference in
 * the same run is a bare `node -e` process start, the floor any start pays.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const WARM_LIMIT_MS = 3000;
const ROUNDS = Number(process.env.BENCH_START_ROUNDS ?? 5);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function readyOnce(dataDir: string): Promise<number> {
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: {
      ...process.env,
      JUHEPAY_DATA_DIR: dataDir,
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = started + 120_000;
    for (;;) {
      if (performance.now() > deadline) throw new Error('no /readyz within 120 s');
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

async function nodeFloor(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve) =>
    spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).once('exit', () => resolve()),
  );
  return performance.now() - started;
}

export async function runStartBench(): Promise<boolean> {
  console.log('## start: npm start until /readyz answers (embedded mode, sandbox on, demo tenant)');
  const cold: number[] = [];
  const warm: number[] = [];
  const floor: number[] = [];
  const dirs: string[] = [];
  // build first, so that no round pays for a compile
  spawnSync(process.execPath, ['bin/build-if-changed.mjs'], { cwd: ROOT, stdio: 'inherit' });
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'juhepay-start-'));
      dirs.push(dir);
      cold.push(await readyOnce(dir));
      warm.push(await readyOnce(dir));
      floor.push(await nodeFloor());
    }
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  printTable(
    ['start', 'median', 'min', 'max'],
    [
      ['cold (new data folder)', fmt(median(cold)), fmt(Math.min(...cold)), fmt(Math.max(...cold))],
      ['warm (folder exists)', fmt(median(warm)), fmt(Math.min(...warm)), fmt(Math.max(...warm))],
      ['node -e 0 (floor)', fmt(median(floor)), fmt(Math.min(...floor)), fmt(Math.max(...floor))],
    ],
  );
  console.log(
    `warm / limit ${WARM_LIMIT_MS / 1000} s: ${fmtRatio(median(warm), WARM_LIMIT_MS)}` +
      ` (${median(warm) <= WARM_LIMIT_MS ? 'within' : 'OVER'} the limit); ${ROUNDS} rounds`,
  );
  return true;
}
