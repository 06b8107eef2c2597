import { CHANNEL_IDS } from '../channels/index.js';
import type { TagDefinition, TagSource, ValueRule } from './tag-definition.js';

/** CONTRACT §2: the channels and pay ways an order can have. */
const PAY_WAYS = [
  'wechat_jsapi',
  'wechat_native',
  'wechat_micropay',
  'alipay_jsapi',
  'alipay_qr',
  'alipay_wap',
  'alipay_micropay',
  'unionpay_qr',
  'unionpay_micropay',
  'qqwallet_jsapi',
  'jdpay_h5',
  'baiduwallet_h5',
] as const;

const CHINA_UTC_OFFSET_MINUTES = 8 * 60;

/**
 * Spending bands in fen, one entry per version: changing the cut points is a new version of the
 * tag (a recompute), never an edit of a version whose state exists.
 */
export const SPENDING_LEVEL_VERSIONS: Readonly<
  Record<number, { readonly cuts: readonly number[]; readonly labels: readonly string[] }>
> = {
  // < 10 yuan, < 50, < 200, < 1,000, and above
  1: { cuts: [1_000, 5_000, 20_000, 100_000], labels: ['micro', 'low', 'medium', 'high', 'premium'] },
};
export const SPENDING_LEVEL_CURRENT_VERSION = 1;

function identityMap(values: readonly string[]): ValueRule {
  return { kind: 'map', map: Object.fromEntries(values.map((v) => [v, v])), otherwise: null };
}

/** A payment is evidence for its field's value; a full refund takes that evidence back, at the payment's time. */
function paymentSources(field: string): TagSource[] {
  return [
    { type: 'order.succeeded', weight: 1, field },
    {
      type: 'refund.succeeded',
      weight: -1,
      field,
      when: { field: 'full_refund', equals: true },
      time_field: 'paid_at',
    },
  ];
}

function spendingLevel(version: number): TagDefinition {
  const bands = SPENDING_LEVEL_VERSIONS[version];
  if (!bands) throw new Error(`no spending_level version ${version}`);
  return {
    name: 'spending_level',
    version,
    description: 'the band of the amounts paid (fen) over the last 180 days',
    sources: paymentSources('amount'),
    value: { kind: 'bins', cuts: bands.cuts, labels: bands.labels },
    window: { kind: 'rolling', days: 180 },
    prior: { strength: 1 },
  };
}

export const BUILTIN_TAGS: readonly TagDefinition[] = [
  {
    name: 'usual_wallet',
    version: 1,
    description: 'the wallet (channel) the subject pays with',
    sources: paymentSources('channel'),
    value: identityMap(CHANNEL_IDS),
    window: { kind: 'all_time' },
    prior: { strength: 1 },
  },
  {
    name: 'usual_pay_way',
    version: 1,
    description: 'the way the subject pays (scan, code, in-app page)',
    sources: paymentSources('pay_way'),
    value: identityMap(PAY_WAYS),
    window: { kind: 'all_time' },
    prior: { strength: 1 },
  },
  {
    name: 'usual_device',
    version: 1,
    description: 'the device the subject pays and acts from, over the last 90 days',
    sources: [...paymentSources('device_id'), { type: 'risk.*', weight: 1, field: 'device_id' }],
    value: { kind: 'identity' },
    window: { kind: 'rolling', days: 90 },
    prior: { strength: 1 },
  },
  {
    name: 'active_hours',
    version: 1,
    description: 'the part of the day (China time) the subject pays or acts in, over the last 90 days',
    // a refunded payment was still activity at that hour: no negative source here
    sources: [
      { type: 'order.succeeded', weight: 1 },
      { type: 'risk.*', weight: 1 },
    ],
    value: {
      kind: 'day_part',
      utc_offset_minutes: CHINA_UTC_OFFSET_MINUTES,
      parts: [
        { from_hour: 0, label: 'night' },
        { from_hour: 6, label: 'morning' },
        { from_hour: 11, label: 'midday' },
        { from_hour: 14, label: 'afternoon' },
        { from_hour: 18, label: 'evening' },
      ],
    },
    window: { kind: 'rolling', days: 90 },
    prior: { strength: 1 },
  },
  spendingLevel(SPENDING_LEVEL_CURRENT_VERSION),
];

export const BUILTIN_TAG_NAMES: ReadonlySet<string> = new Set(BUILTIN_TAGS.map((t) => t.name));
