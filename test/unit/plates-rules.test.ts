import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomPlateCode } from '../../src/merchants/plates/store.js';
import {
  formatPlateCode,
  formatYuan,
  isConsistent,
  isPlateCode,
  isValidAmountFen,
  normalizePlateCode,
  pageState,
  parseYuanInput,
  PLATE_ALPHABET,
  PLATE_CODE_LENGTH,
  plateUrl,
  transition,
  type PlateAction,
  type PlateState,
} from '../../src/merchants/plates/rules.js';

const merchantIds = fc.constantFrom('mch_a', 'mch_b');
const storeIds = fc.constantFrom(null, 'sto_a', 'sto_b');
const actions: fc.Arbitrary<PlateAction> = fc.oneof(
  fc.record({ type: fc.constant('bind' as const), merchantId: merchantIds, storeId: storeIds }),
  fc.constantFrom<PlateAction>({ type: 'unbind' }, { type: 'disable' }, { type: 'enable' }),
);
const BLANK: PlateState = { status: 'blank', merchantId: null, storeId: null };

/** Every state reachable from a blank plate. */
const reachable = fc.array(actions, { maxLength: 12 }).map((list) =>
  list.reduce<PlateState>((state, action) => {
    const next = transition(state, action);
    return next.ok ? next.next : state;
  }, BLANK),
);

describe('plate codes', () => {
  it('are 16 characters of a 32-letter alphabet: 80 bits', () => {
    expect(PLATE_ALPHABET).toHaveLength(32);
    expect(new Set(PLATE_ALPHABET).size).toBe(32);
    expect(PLATE_CODE_LENGTH * Math.log2(PLATE_ALPHABET.length)).toBeGreaterThanOrEqual(80);
    expect(PLATE_ALPHABET).not.toMatch(/[01IO]/);
  });

  it('are generated valid, distinct and evenly spread over the alphabet', () => {
    const codes = Array.from({ length: 4000 }, randomPlateCode);
    expect(codes.every(isPlateCode)).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    const counts = new Map<string, number>();
    for (const c of codes.join('')) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (4000 * 16) / 32; // 2000 per letter
    for (const n of counts.values()) expect(Math.abs(n - expected)).toBeLessThan(expected * 0.15);
  });

  it('survive being printed in groups and typed back in lower case with dashes', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...PLATE_ALPHABET), minLength: 16, maxLength: 16 }),
        (code) => {
          expect(formatPlateCode(code)).toMatch(/^(.{4} ){3}.{4}$/);
          expect(normalizePlateCode(formatPlateCode(code))).toBe(code);
          expect(normalizePlateCode(formatPlateCode(code).toLowerCase().replace(/ /g, '-'))).toBe(code);
        },
      ),
    );
  });

  it('refuse anything else', () => {
    for (const bad of [
      '',
      'ABC',
      'ABCDEFGHJKLMNPQ0',
      'ABCDEFGHJKLMNPQRS',
      'ABCDEFGHJKLMNPQ/',
      'ABCDEFGHJKLMNPQI',
    ]) {
      expect(isPlateCode(bad)).toBe(false);
      expect(normalizePlateCode(bad)).toBeUndefined();
    }
    expect(isPlateCode(42)).toBe(false);
    fc.assert(
      fc.property(
        fc.string(),
        (s) => normalizePlateCode(s) === undefined || isPlateCode(normalizePlateCode(s)),
      ),
    );
  });

  it('make URLs under PUBLIC_URL, with or without a trailing slash', () => {
    expect(plateUrl('https://pay.example.com/', 'ABCD')).toBe('https://pay.example.com/q/ABCD');
    expect(plateUrl('http://127.0.0.1:3000', 'ABCD')).toBe('http://127.0.0.1:3000/q/ABCD');
  });
});

describe('amounts', () => {
  it('parse typed yuan exactly, round-tripping every valid fen amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000 }), (fen) => {
        expect(parseYuanInput(formatYuan(fen))).toBe(fen);
        expect(isValidAmountFen(fen)).toBe(true);
      }),
    );
    expect(parseYuanInput('12')).toBe(1200);
    expect(parseYuanInput('12.5')).toBe(1250);
    expect(parseYuanInput(' ¥0.01 ')).toBe(1);
    expect(parseYuanInput('￥1000000')).toBe(100_000_000);
  });

  it.each([
    '',
    '0',
    '0.00',
    '0.001',
    '1.234',
    '-1',
    '1e3',
    '1,000',
    '1000000.01',
    '.5',
    '12.',
    'NaN',
    '１２',
  ])('refuse %j', (text) => expect(parseYuanInput(text)).toBeUndefined());

  it('accept only integer fen 1…100 000 000', () => {
    for (const bad of [0, -1, 1.5, 100_000_001, Number.NaN, Infinity, '100', null]) {
      expect(isValidAmountFen(bad)).toBe(false);
    }
  });
});

describe('plate status machine', () => {
  it('keeps every reachable state consistent', () => {
    fc.assert(
      fc.property(reachable, actions, (state, action) => {
        expect(isConsistent(state)).toBe(true);
        const next = transition(state, action);
        if (next.ok) expect(isConsistent(next.next)).toBe(true);
      }),
    );
  });

  it('is idempotent: applying the same action twice changes nothing the second time', () => {
    fc.assert(
      fc.property(reachable, actions, (state, action) => {
        const first = transition(state, action);
        if (!first.ok) return;
        const second = transition(first.next, action);
        expect(second).toEqual({ ok: true, next: first.next, changed: false });
      }),
    );
  });

  it('never moves a bound plate to another target without an unbind', () => {
    fc.assert(
      fc.property(reachable, merchantIds, storeIds, (state, merchantId, storeId) => {
        const outcome = transition(state, { type: 'bind', merchantId, storeId });
        if (state.status === 'disabled') expect(outcome.ok).toBe(false);
        if (state.status === 'bound' && (state.merchantId !== merchantId || state.storeId !== storeId)) {
          expect(outcome.ok).toBe(false);
        }
        if (state.status === 'blank')
          expect(outcome).toMatchObject({ ok: true, next: { status: 'bound', merchantId } });
      }),
    );
  });

  it('disable then enable gives the plate back as it was', () => {
    fc.assert(
      fc.property(reachable, (state) => {
        fc.pre(state.status !== 'disabled');
        const off = transition(state, { type: 'disable' });
        if (!off.ok) throw new Error('disable must always work');
        const on = transition(off.next, { type: 'enable' });
        expect(on.ok && on.next).toEqual(state);
      }),
    );
  });

  it('unbind always clears the binding', () => {
    fc.assert(
      fc.property(reachable, (state) => {
        const outcome = transition(state, { type: 'unbind' });
        expect(outcome.ok && outcome.next.merchantId === null && outcome.next.storeId === null).toBe(true);
      }),
    );
  });
});

describe('page state', () => {
  it('decides what /q shows', () => {
    expect(pageState(BLANK, null)).toBe('not_activated');
    const bound: PlateState = { status: 'bound', merchantId: 'mch_a', storeId: null };
    expect(pageState(bound, 'active')).toBe('ready');
    expect(pageState(bound, 'suspended')).toBe('merchant_unavailable');
    expect(pageState(bound, null)).toBe('merchant_unavailable');
    expect(pageState({ ...bound, status: 'disabled' }, 'active')).toBe('disabled');
  });
});
