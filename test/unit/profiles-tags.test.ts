import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import {
  BUILTIN_TAGS,
  applyEvent,
  compileTags,
  dayBucket,
  definitionFingerprint,
  emptyBook,
  observe,
  parseTagDefinition,
  readDistribution,
  tagKey,
  type ProfileEvent,
  type TagDefinition,
} from '../../src/profiles/index.js';

const tag = (name: string): TagDefinition => {
  const def = BUILTIN_TAGS.find((t) => t.name === name);
  if (!def) throw new Error(name);
  return def;
};

// 2026-12-04 10:30 in China (02:30 UTC)
const AT = Date.UTC(2026, 11, 4, 2, 30);
const DAY = 86_400_000;

let seq = 0;
function paid(fields: ProfileEvent['fields'], at = AT, customer = 'cus_1'): ProfileEvent {
  return {
    id: `evt_${++seq}`,
    type: 'order.succeeded',
    at,
    merchant_id: 'mch_1',
    customer_id: customer,
    fields,
  };
}

function parseError(name: string, body: unknown): ApiError {
  try {
    parseTagDefinition(name, body);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('built-in tags', () => {
  it('reads the wallet of a payment and takes it back on a full refund, at the payment time', () => {
    const def = tag('usual_wallet');
    const [pay, refund] = def.sources;
    if (!pay || !refund) throw new Error('sources');
    expect(observe(def, pay, paid({ channel: 'wechatpay' }))).toEqual({
      value: 'wechatpay',
      bucket: 0,
      weight: 1,
    });
    const fullRefund: ProfileEvent = {
      ...paid({ channel: 'alipay', full_refund: true, paid_at: new Date(AT).toISOString() }),
      type: 'refund.succeeded',
    };
    expect(observe(def, refund, fullRefund)).toEqual({ value: 'alipay', bucket: 0, weight: -1 });
    expect(
      observe(def, refund, { ...fullRefund, fields: { ...fullRefund.fields, full_refund: false } }),
    ).toBeNull();
    // a channel outside the contract's list is no evidence for a closed-domain tag
    expect(observe(def, pay, paid({ channel: 'paypal' }))).toBeNull();
  });

  it('puts activity in China-time day parts and days', () => {
    const def = tag('active_hours');
    const [source] = def.sources;
    if (!source) throw new Error('source');
    expect(observe(def, source, paid({}))?.value).toBe('morning'); // 10:30 UTC+8
    expect(observe(def, source, paid({}, Date.UTC(2026, 11, 4, 16, 0)))?.value).toBe('night'); // 00:00 next day
    expect(observe(def, source, paid({}, Date.UTC(2026, 11, 4, 11, 59)))?.value).toBe('evening'); // 19:59
    // 23:59 UTC on the 3rd is already the 4th in China
    expect(dayBucket(Date.UTC(2026, 11, 3, 16, 0))).toBe(dayBucket(Date.UTC(2026, 11, 4, 15, 59)));
    expect(dayBucket(Date.UTC(2026, 11, 3, 15, 59))).toBe(dayBucket(Date.UTC(2026, 11, 4, 15, 59)) - 1);
  });

  it('bands amounts by the cut points of its version', () => {
    const def = tag('spending_level');
    const [source] = def.sources;
    if (!source) throw new Error('source');
    const band = (amount: number | string) => observe(def, source, paid({ amount }))?.value;
    expect([band(999), band(1000), band(4999), band(5000), band(100_000), band('25000')]).toEqual([
      'micro',
      'low',
      'low',
      'medium',
      'premium',
      'high',
    ]);
    expect(observe(def, source, paid({ amount: 'ten' }))).toBeNull();
    expect(tagKey(def)).toBe('spending_level@1');
  });

  it('gives the usual wallet with a Dirichlet prior over the known wallets, confidences summing to 1', () => {
    const tags = compileTags(BUILTIN_TAGS);
    const book = emptyBook();
    for (let i = 0; i < 4; i++)
      applyEvent(book, tags, paid({ channel: 'wechatpay', pay_way: 'wechat_jsapi' }));
    applyEvent(book, tags, paid({ channel: 'alipay', pay_way: 'alipay_jsapi' }));
    const state = book.get('mch_1:cus_1')?.get('usual_wallet@1');
    if (!state) throw new Error('no state');
    const dist = readDistribution(tag('usual_wallet'), state, AT);
    expect(dist.top).toBe('wechatpay');
    expect(dist.evidence).toBe(5);
    // (4 + 1/6) / (5 + 1) and (1 + 1/6) / 6; the four unseen wallets share the rest
    expect(dist.values[0]).toMatchObject({ value: 'wechatpay', count: 4 });
    expect(dist.values[0]?.confidence).toBeCloseTo((4 + 1 / 6) / 6, 12);
    expect(dist.values[1]?.confidence).toBeCloseTo((1 + 1 / 6) / 6, 12);
    expect(dist.values).toHaveLength(6);
    expect(dist.values.reduce((s, v) => s + v.confidence, 0)).toBeCloseTo(1, 12);
  });

  it('derives rolling windows at read time, so old evidence leaves without any job', () => {
    const tags = compileTags(BUILTIN_TAGS);
    const book = emptyBook();
    applyEvent(book, tags, { ...paid({ device_id: 'dev_old' }, AT - 100 * DAY), type: 'risk.login' });
    applyEvent(book, tags, { ...paid({ device_id: 'dev_new' }, AT), type: 'risk.login' });
    const def = tag('usual_device');
    const state = book.get('mch_1:cus_1')?.get(tagKey(def));
    if (!state) throw new Error('no state');
    const then = readDistribution(def, state, AT - 99 * DAY);
    expect(then.top).toBe('dev_old');
    expect(then.evidence).toBe(1);
    const now = readDistribution(def, state, AT);
    expect(now.top).toBe('dev_new');
    expect(now.values.map((v) => v.value)).toEqual(['dev_new']);
    // and nothing at all once the window has passed
    expect(readDistribution(def, state, AT + 90 * DAY)).toEqual({ top: null, values: [], evidence: 0 });
  });

  it('never lets a refund push a value below unseen', () => {
    const tags = compileTags(BUILTIN_TAGS);
    const book = emptyBook();
    applyEvent(book, tags, {
      ...paid({ channel: 'alipay', full_refund: true, paid_at: AT }),
      type: 'refund.succeeded',
    });
    const state = book.get('mch_1:cus_1')?.get('usual_wallet@1');
    if (!state) throw new Error('no state');
    const dist = readDistribution(tag('usual_wallet'), state, AT);
    expect(dist.top).toBeNull();
    expect(dist.evidence).toBe(0);
    expect(new Set(dist.values.map((v) => v.confidence)).size).toBe(1); // the prior alone: uniform
  });

  it('profiles the payer too when the channel and payer are known', () => {
    const book = emptyBook();
    applyEvent(book, compileTags(BUILTIN_TAGS), { ...paid({ channel: 'wechatpay' }), payer_id: 'o_abc' });
    expect([...book.keys()].sort()).toEqual(['mch_1:cus_1', 'wechatpay:o_abc']);
  });
});

describe('operator-defined tags', () => {
  const gender = {
    description: 'gender as the merchant reports it',
    sources: [{ type: 'risk.profile_update', field: 'attributes.gender' }],
    value: { kind: 'map', map: { m: 'male', f: 'female', male: 'male', female: 'female' } },
    window: { kind: 'all_time' },
    prior: { strength: 2 },
  };

  it('accepts a definition and counts merchant events with it', () => {
    const def = { ...parseTagDefinition('gender', gender), version: 1 };
    expect(def.sources).toEqual([{ type: 'risk.profile_update', weight: 1, field: 'attributes.gender' }]);
    const book = emptyBook();
    const tags = compileTags([def]);
    for (const g of ['m', 'male', 'f', 'x'])
      applyEvent(book, tags, { ...paid({ 'attributes.gender': g }), type: 'risk.profile_update' });
    const state = book.get('mch_1:cus_1')?.get('gender@1');
    if (!state) throw new Error('no state');
    const dist = readDistribution(def, state, AT);
    expect(dist).toEqual({
      top: 'male',
      evidence: 3,
      values: [
        { value: 'male', confidence: 3 / 5, count: 2 },
        { value: 'female', confidence: 2 / 5, count: 1 },
      ],
    });
  });

  it('refuses bad definitions with a 4xx naming the parameter', () => {
    const cases: [string, unknown, string, string][] = [
      ['Gender', gender, 'name', 'parameter_invalid'],
      ['usual_wallet', gender, 'name', 'parameter_invalid'],
      ['g', { ...gender, colour: 1 }, 'colour', 'parameter_unknown'],
      ['g', { ...gender, sources: [] }, 'sources', 'parameter_invalid'],
      [
        'g',
        { ...gender, sources: [{ type: 'payout.paid', field: 'x' }] },
        'sources[0].type',
        'parameter_invalid',
      ],
      ['g', { ...gender, sources: [{ type: 'risk.login' }] }, 'sources[0].field', 'parameter_missing'],
      [
        'g',
        { ...gender, sources: [{ type: 'risk.login', field: 'x', weight: 2 }] },
        'sources[0].weight',
        'parameter_invalid',
      ],
      [
        'g',
        { ...gender, value: { kind: 'bins', cuts: [5, 5], labels: ['a', 'b', 'c'] } },
        'value.cuts[1]',
        'parameter_invalid',
      ],
      [
        'g',
        { ...gender, value: { kind: 'bins', cuts: [5], labels: ['a'] } },
        'value.labels',
        'parameter_invalid',
      ],
      [
        'g',
        { ...gender, value: { kind: 'day_part', parts: [{ from_hour: 3, label: 'a' }] } },
        'value.parts[0].from_hour',
        'parameter_invalid',
      ],
      ['g', { ...gender, value: { kind: 'regex' } }, 'value.kind', 'parameter_invalid'],
      ['g', { ...gender, window: { kind: 'rolling', days: 0 } }, 'window.days', 'parameter_invalid'],
      ['g', { ...gender, prior: { strength: -1 } }, 'prior.strength', 'parameter_invalid'],
      [
        'g',
        { ...gender, prior: { distribution: { other: 1 } } },
        'prior.distribution.other',
        'parameter_invalid',
      ],
      ['g', 'gender', 'body', 'parameter_invalid'],
      ['g', { sources: gender.sources }, 'value', 'parameter_missing'],
    ];
    for (const [name, body, param, code] of cases) {
      const error = parseError(name, body);
      expect({ param: error.param, code: error.code }, JSON.stringify(body)).toEqual({ param, code });
      expect(error.status).toBeGreaterThanOrEqual(400);
      expect(error.status).toBeLessThan(500);
    }
  });

  it('fingerprints what changes the state, not the description', () => {
    const a = parseTagDefinition('gender', gender);
    const b = parseTagDefinition('gender', { ...gender, description: 'other words' });
    const c = parseTagDefinition('gender', { ...gender, window: { kind: 'rolling', days: 30 } });
    expect(definitionFingerprint(a)).toBe(definitionFingerprint(b));
    expect(definitionFingerprint(a)).not.toBe(definitionFingerprint(c));
    // key order in the body does not matter
    const reordered = parseTagDefinition('gender', {
      prior: gender.prior,
      window: gender.window,
      value: gender.value,
      sources: gender.sources,
    });
    expect(definitionFingerprint(reordered)).toBe(definitionFingerprint(a));
  });
});
