#!/usr/bin/env node
// `npm start` runs this first: it rebuilds dist/ only when a source or build setting changed since
// the last build, so a warm start spends milliseconds here instead of a full tsc run. When it does
// build, tsc runs incrementally (its .tsbuildinfo lives in dist/), recompiling only what changed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const stampFile = path.join(root, 'dist', '.build-stamp');
const inputs = ['tsconfig.json', 'package-lock.json'];

/** A fingerprint of every input's path, size and modification time: cheap to read, exact enough. */
function fingerprint() {
  const lines = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) lines.push(describe(full));
    }
  };
  const describe = (file) => {
    const s = statSync(file);
    return `${path.relative(root, file)} ${s.size} ${s.mtimeMs}`;
  };
  walk(path.join(root, 'src'));
  for (const file of inputs)
    if (existsSync(path.join(root, file))) lines.push(describe(path.join(root, file)));
  return lines.sort().join('\n');
}

const current = fingerprint();
const previous = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
if (current === previous && existsSync(path.join(root, 'dist', 'cli', 'main.js'))) process.exit(0);

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const result = spawnSync(
  process.execPath,
  [tsc, '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'],
  { cwd: root, stdio: 'inherit' },
);
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stampFile, current);
