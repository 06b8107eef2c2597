import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ID_BLOCK_DIGITS,
  ID_PREFIXES,
  isId,
  newId,
  newIdBlock,
  randomToken,
  type IdKind,
} from '../../src/core/ids.js';

const KINDS = Object.keys(ID_PREFIXES) as IdKind[];
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
// newId never goes below the latest time it has used (real time, after the first test), so tests
// that pass explicit times work in the future and move forward from test to test.
let cursor = Date.UTC(2100, 0, 1);
const later = (ms = 1_000_000) => (cursor += ms);

function decodeTime(id: string): number {
  return [...id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11)].reduce(
    (n, c) => n * 32 + ALPHABET.indexOf(c),
    0,
  );
}

describe('ids', () => {
  it('carry their kind’s prefix and a 26-char lower-case Crockford body', () => {
    for (const kind of KINDS) {
      const id = newId(kind);
      expect(id).toMatch(new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-hjkmnp-tv-z]{26}$`));
      expect(isId(kind, id)).toBe(true);
    }
  });

  it('isId rejects other kinds and malformed values', () => {
    const id = newId('order');
    expect(isId('refund', id)).toBe(false);
    const body = id.slice(4);
    for (const bad of [
      `ord_${body.slice(1)}`, // short
      `ord_${body}0`, // long
      `ord_${body.slice(1)}i`, // i, l, o, u are not in the alphabet
      `ord_${body.slice(1)}u`,
      `ord_${body.toUpperCase()}`,
      `ORD_${body}`,
      `ord-${body}`,
      '',
      null,
      42,
      { id },
    ]) {
      expect(isId('order', bad)).toBe(false);
    }
  });

  it('sort strictly increasing when created in sequence within one millisecond', () => {
    const ms = later();
    const ids = Array.from({ length: 1_000 }, () => newId('event', ms));
    expect(ids.every((id) => decodeTime(id) === ms)).toBe(true);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });

  it('sort strictly increasing across milliseconds, whatever the random part', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 50 }), (steps) => {
        const ids = steps.map((step) => newId('job', later(step)));
        for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
      }),
    );
  });

  it('keep increasing when the clock steps back', () => {
    const first = newId('job', later());
    const second = newId('job', cursor - 60_000);
    expect(second > first).toBe(true);
    expect(decodeTime(second)).toBe(cursor); // it keeps the latest time it has seen
  });

  it('order by time across processes (the time part comes first)', () => {
    // different "processes" cannot share a counter, but the time prefix still orders them
    const a = newId('order', later());
    const b = newId('order', later(1));
    expect([decodeTime(a), decodeTime(b)]).toEqual([cursor - 1, cursor]);
    expect(a.slice(4, 14) < b.slice(4, 14)).toBe(true);
  });

  it('give blocks that no other id meets, within one millisecond and with a clock ahead', () => {
    const ms = later();
    const digits = (n: number) =>
      Array.from(
        { length: ID_BLOCK_DIGITS },
        (_, k) => ALPHABET[Math.floor(n / 32 ** (ID_BLOCK_DIGITS - 1 - k)) % 32],
      ).join('');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(-1), fc.nat(50)), { minLength: 1, maxLength: 30 }),
        (steps) => {
          // -1: one plain id; n: a block of which ids 0, 1 and n + 2 are used (as a statement numbers rows)
          const made: string[] = [];
          for (const step of steps) {
            if (step < 0) made.push(newId('mismatch', ms));
            else {
              const block = newIdBlock('mismatch', ms);
              expect(block).toHaveLength('mis_'.length + 26 - ID_BLOCK_DIGITS);
              made.push(...[0, 1, step + 2].map((n) => block + digits(n)));
            }
          }
          for (const id of made) expect(isId('mismatch', id)).toBe(true);
          expect(new Set(made).size).toBe(made.length);
          expect([...made].sort()).toEqual(made);
        },
      ),
      { seed: 1205, numRuns: 200 },
    );
  });

  it('are unique over 10k', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('request')));
    expect(ids.size).toBe(10_000);
  });

  it('stay valid for a fractional millisecond clock', () => {
    const id = newId('job', later() + 0.5);
    expect(isId('job', id)).toBe(true);
    expect(decodeTime(id)).toBe(cursor);
  });

  it('refuse a time that is not a time, and keep working after', () => {
    for (const bad of [NaN, Infinity, -1]) expect(() => newId('job', bad)).toThrow(RangeError);
    expect(isId('job', newId('job', later()))).toBe(true);
  });

  it('random tokens are url-safe and unique', () => {
    const tokens = new Set(Array.from({ length: 1_000 }, () => randomToken()));
    expect(tokens.size).toBe(1_000);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(randomToken(16)).toHaveLength(22);
  });
});
