import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_TAGS,
  applyEvent,
  applyOnce,
  bookDigest,
  canonicalLines,
  compileTags,
  emptyBook,
  foldEvents,
  mergeBookInto,
  parseTagDefinition,
  parseTagState,
  readDistribution,
  serializeTagState,
  subjectsOf,
  touchedBy,
  type ProfileBook,
  type ProfileEvent,
  type TagDefinition,
} from '../../src/profiles/index.js';

// Seeded: a failure reproduces on every machine.
const RUNS = { seed: 13_2026, numRuns: 150 };
const DAY = 86_400_000;
const START = Date.UTC(2026, 5, 1);

const OPERATOR_TAGS: TagDefinition[] = [
  {
    ...parseTagDefinition('gender', {
      sources: [{ type: 'risk.profile_update', field: 'attributes.gender' }],
      value: { kind: 'map', map: { m: 'male', f: 'female' }, otherwise: 'other' },
      prior: { strength: 3, distribution: { male: 1, female: 1, other: 0.5 } },
    }),
    version: 1,
  },
  {
    ...parseTagDefinition('age_band', {
      sources: [{ type: 'risk.*', field: 'attributes.age' }],
      value: {
        kind: 'bins',
        cuts: [18, 30, 45, 60],
        labels: ['minor', '18_29', '30_44', '45_59', '60_plus'],
      },
      window: { kind: 'rolling', days: 30 },
      prior: { strength: 0 },
    }),
    version: 2,
  },
];
const TAGS = compileTags([...BUILTIN_TAGS, ...OPERATOR_TAGS]);

const eventBody = fc.record({
  type: fc.constantFrom('order.succeeded', 'refund.succeeded', 'risk.login', 'risk.profile_update'),
  at: fc.integer({ min: START, max: START + 200 * DAY }),
  customer: fc.constantFrom('cus_a', 'cus_b', 'cus_c', null),
  payer: fc.constantFrom('o_1', 'o_2', null),
  channel: fc.constantFrom('wechatpay', 'alipay', 'unionpay', 'paypal'),
  pay_way: fc.constantFrom('wechat_jsapi', 'alipay_qr', 'unionpay_qr'),
  amount: fc.integer({ min: 1, max: 300_000 }),
  device: fc.constantFrom('dev_1', 'dev_2', 'dev_3', ''),
  full_refund: fc.boolean(),
  paid_before_ms: fc.integer({ min: 0, max: 40 * DAY }),
  gender: fc.constantFrom('m', 'f', 'x'),
  age: fc.integer({ min: 10, max: 80 }),
});

/** A duplicate-free history: ids are unique, as in the event store. */
const history = fc.array(eventBody, { maxLength: 60 }).map((bodies) =>
  bodies.map((b, i): ProfileEvent => ({
    id: `evt_${String(i).padStart(4, '0')}`,
    type: b.type,
    at: b.at,
    merchant_id: 'mch_1',
    customer_id: b.customer,
    payer_id: b.payer,
    fields: {
      channel: b.channel,
      pay_way: b.pay_way,
      amount: b.amount,
      device_id: b.device,
      full_refund: b.full_refund,
      paid_at: new Date(b.at - b.paid_before_ms).toISOString(),
      'attributes.gender': b.gender,
      'attributes.age': b.age,
    },
  })),
);

/** A delivery of that history: any order, with some events delivered again (redelivery, replay). */
const delivery = history.chain((events) =>
  fc
    .tuple(
      fc.shuffledSubarray(events, { minLength: 0, maxLength: events.length }),
      fc.array(fc.nat(), { minLength: events.length, maxLength: events.length }),
    )
    .map(([dups, keys]) => {
      const all = [...events, ...dups];
      const order = all.map((e, i) => ({ e, k: keys[i % Math.max(1, keys.length)] ?? 0, i }));
      order.sort((a, b) => a.k - b.k || a.i - b.i);
      return { events, delivered: order.map((o) => o.e) };
    }),
);

function applyAllOnce(delivered: readonly ProfileEvent[]): ProfileBook {
  const book = emptyBook();
  const processed = new Set<string>();
  for (const event of delivered) applyOnce(book, TAGS, processed, event);
  return book;
}

describe('profile aggregates (properties)', () => {
  it('fold of all = merge of the folds of any split = one by one in any order with duplicates', () => {
    fc.assert(
      fc.property(
        delivery,
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 60 }),
        ({ events, delivered }, parts) => {
          const all = bookDigest(foldEvents(TAGS, events));

          const merged = emptyBook();
          for (let part = 0; part < 4; part++) {
            const slice = events.filter((_, i) => (parts[i] ?? 0) === part);
            mergeBookInto(merged, foldEvents(TAGS, slice));
          }
          expect(bookDigest(merged)).toBe(all);

          expect(bookDigest(applyAllOnce(delivered))).toBe(all);
          expect(bookDigest(foldEvents(TAGS, [...events].reverse()))).toBe(all);
        },
      ),
      RUNS,
    );
  });

  it('counts a duplicate once, and only through the processed ids', () => {
    fc.assert(
      fc.property(history, (events) => {
        const once = foldEvents(TAGS, events);
        const twice = foldEvents(TAGS, [...events, ...events]);
        const counted = events.filter((e) => touchedBy(TAGS, e).length > 0);
        // the plain sum is not idempotent (so applyOnce's check is what makes it exactly-once) ...
        if (counted.length > 0) expect(bookDigest(twice)).not.toBe(bookDigest(once));
        // ... and with it, delivering everything twice changes nothing
        expect(bookDigest(applyAllOnce([...events, ...events]))).toBe(bookDigest(once));
      }),
      RUNS,
    );
  });

  it("gives every tag's confidences a sum of 1 within 1e-9, at any read time", () => {
    fc.assert(
      fc.property(history, fc.integer({ min: START, max: START + 260 * DAY }), (events, now) => {
        const book = foldEvents(TAGS, events);
        for (const tags of book.values()) {
          for (const def of TAGS.definitions) {
            const state = tags.get(`${def.name}@${def.version}`);
            if (!state) continue;
            const dist = readDistribution(def, state, now);
            if (dist.values.length === 0) continue;
            const sum = dist.values.reduce((s, v) => s + v.confidence, 0);
            expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
            for (const v of dist.values) expect(v.confidence).toBeGreaterThanOrEqual(0);
            expect(dist.evidence).toBe(dist.values.reduce((s, v) => s + v.count, 0));
            if (dist.top !== null) expect(dist.top).toBe(dist.values[0]?.value);
          }
        }
      }),
      RUNS,
    );
  });

  it('an incremental state, stored and reloaded after every event, equals a recompute byte for byte', () => {
    fc.assert(
      fc.property(delivery, ({ events, delivered }) => {
        // the consumer: per event, load only the states it touches from storage (their canonical
        // text), apply, write them back; the processed ids live beside them
        const stored = new Map<string, string>();
        const processed = new Set<string>();
        for (const event of delivered) {
          const touched = touchedBy(TAGS, event);
          const book = emptyBook();
          for (const { subject, key } of touched) {
            const text = stored.get(`${subject}\t${key}`);
            const tags = book.get(subject) ?? new Map();
            tags.set(key, text === undefined ? new Map() : parseTagState(text));
            book.set(subject, tags);
          }
          if (!applyOnce(book, TAGS, processed, event)) continue;
          for (const { subject, key } of touched) {
            const state = book.get(subject)?.get(key);
            if (state) stored.set(`${subject}\t${key}`, serializeTagState(state));
          }
        }
        const incremental = emptyBook();
        for (const [k, text] of stored) {
          const [subject = '', key = ''] = k.split('\t');
          const tags = incremental.get(subject) ?? new Map();
          tags.set(key, parseTagState(text));
          incremental.set(subject, tags);
        }

        // the recompute: the history in event-store order through the same code
        const recompute = foldEvents(
          TAGS,
          [...events].sort((a, b) => (a.id < b.id ? -1 : 1)),
        );
        expect([...canonicalLines(incremental)].join('')).toBe([...canonicalLines(recompute)].join(''));
        expect(bookDigest(incremental)).toBe(bookDigest(recompute));
      }),
      RUNS,
    );
  });

  it('touches exactly the states an event changes', () => {
    fc.assert(
      fc.property(history, (events) => {
        for (const event of events) {
          const book = emptyBook();
          applyEvent(book, TAGS, event);
          const changed = [...book].flatMap(([subject, tags]) =>
            [...tags].filter(([, s]) => s.size > 0).map(([key]) => `${subject} ${key}`),
          );
          const touched = touchedBy(TAGS, event).map((t) => `${t.subject} ${t.key}`);
          expect(changed.sort()).toEqual(touched.sort());
          for (const subject of book.keys()) expect(subjectsOf(event)).toContain(subject);
        }
      }),
      RUNS,
    );
  });
});
