import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Production code never imports the sandbox: the sandbox plays the channels' server side and may
 * import channels/, never the other way round. Only the sandbox itself, the CLI (which starts it)
 * and the demo seeding (which reads its published test keys) may reach into src/sandbox.
 */

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const ALLOWED = [/^sandbox\//, /^cli\//, /^demo\//];
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function sandboxImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(SPECIFIER)]
    .map((m) => m[1]!)
    .filter((spec) => spec.startsWith('.'))
    .filter((spec) => relative(SRC, resolve(dirname(file), spec)).startsWith('sandbox/'));
}

describe('layering: production code does not import the sandbox', () => {
  it('the scanner sees a relative import into src/sandbox (so the check below can fail)', () => {
    const sandboxUser = join(SRC, 'cli', 'main.ts');
    expect(sandboxImports(sandboxUser).length).toBeGreaterThan(0);
  });

  it('nothing under src/ outside sandbox/, cli/ and the demo seeding imports src/sandbox', () => {
    const offenders = sourceFiles(SRC)
      .map((file) => relative(SRC, file))
      .filter((rel) => !ALLOWED.some((re) => re.test(rel)))
      .flatMap((rel) => sandboxImports(join(SRC, rel)).map((spec) => `${rel} → ${spec}`));
    expect(offenders).toEqual([]);
  });
});
