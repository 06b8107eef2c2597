import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The published channel vectors (test/fixtures/vectors, see its README): part of the repository,
 * so every clone runs the vector tests. SHARED_VECTORS_DIR is the research folder they were
 * copied from, present only beside a development checkout; vectors-fixtures.test.ts keeps the two
 * equal when it is there.
 */

const repoRoot = path.resolve(import.meta.dirname, '../..');

export const VECTORS_DIR = path.join(repoRoot, 'test/fixtures/vectors');
export const SHARED_VECTORS_DIR = path.resolve(repoRoot, '../shared/vectors');
export const sharedVectorsPresent = existsSync(SHARED_VECTORS_DIR);

/** A vector file parsed; `name` with or without `.json`. */
export function loadVector<T = unknown>(name: string): T {
  const file = name.endsWith('.json') ? name : `${name}.json`;
  return JSON.parse(readFileSync(path.join(VECTORS_DIR, file), 'utf8')) as T;
}
