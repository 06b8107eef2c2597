import { createHash } from 'node:crypto';
import { addCell, type TagState } from './aggregate.js';

/** A UTF-16 unit's rank in code-point order: surrogates (astral code points) sort after U+FFFF. */
function unitRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}

/**
 * Code-point order: the same on every machine and locale (localeCompare is not), and the byte
 * order of UTF-8, so PostgreSQL's `collate "C"` sorts the same way (the recompute streams
 * subjects in that order). Plain `<` compares UTF-16 units, which differs past U+D7FF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x < 0xd800 && y < 0xd800 ? x - y : unitRank(x) - unitRank(y);
  }
  return a.length - b.length;
}

/**
 * The canonical bytes of a tag state: values in code-point order, buckets ascending, each as
 * `[value,[[bucket,count],…]]`. Two states with equal counts serialise identically however
 * they were built (zero cells never exist and buckets are kept sorted, see aggregate.ts).
 */
export function serializeTagState(state: TagState): string {
  const values = [...state.keys()].sort(compareCodePoints);
  let out = '[';
  for (let v = 0; v < values.length; v++) {
    const value = values[v] as string;
    const cells = state.get(value) ?? [];
    out += `${v > 0 ? ',' : ''}[${JSON.stringify(value)},[`;
    for (let i = 0; i < cells.length; i += 2) out += `${i > 0 ? ',' : ''}[${cells[i]},${cells[i + 1]}]`;
    out += ']]';
  }
  return `${out}]`;
}

/** Parses what serializeTagState wrote (the stored form); throws on anything else. */
export function parseTagState(text: string): TagState {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('a tag state is an array');
  const state: TagState = new Map();
  for (const entry of parsed) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) {
      throw new Error('a tag state entry is [value, buckets]');
    }
    for (const cell of entry[1] as unknown[]) {
      if (!Array.isArray(cell) || !Number.isSafeInteger(cell[0]) || !Number.isSafeInteger(cell[1])) {
        throw new Error('a bucket is [integer, integer]');
      }
      addCell(state, entry[0], cell[0] as number, cell[1] as number);
    }
  }
  return state;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The digest of one tag state. */
export function tagStateDigest(state: TagState): string {
  return sha256Hex(serializeTagState(state));
}
