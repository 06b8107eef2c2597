import type { ProfileEvent } from '../../src/profiles/index.js';

/**
 * A deterministic stream of payment, refund and login events for the profile benchmark: the same
 * seed and count give the same events, one at a time (never an array of them).
 */

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 8, 1);
const SPAN_DAYS = 90;
const MERCHANTS = 20;
export const CUSTOMERS = 20_000;

const WALLETS = ['wechatpay', 'alipay', 'unionpay'] as const;
const PAY_WAYS: Record<(typeof WALLETS)[number], readonly string[]> = {
  wechatpay: ['wechat_jsapi', 'wechat_native', 'wechat_micropay'],
  alipay: ['alipay_jsapi', 'alipay_qr', 'alipay_micropay'],
  unionpay: ['unionpay_qr', 'unionpay_micropay'],
};

/** mulberry32: small, fast, good enough to spread a workload; not for anything secret. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(items: readonly T[], r: number): T {
  return items[Math.min(items.length - 1, Math.floor(r * items.length))] as T;
}

/** The events evt_0 … evt_{count-1}, in time order over 90 days. */
export function* generateEvents(count: number, seed = 13): Generator<ProfileEvent> {
  const random = prng(seed);
  for (let k = 0; k < count; k++) {
    const customer = Math.floor(random() * CUSTOMERS);
    // each customer has a home wallet and a usual device, used most of the time
    const home = WALLETS[customer % 10 < 6 ? 0 : customer % 10 < 9 ? 1 : 2] ?? 'wechatpay';
    const wallet = random() < 0.8 ? home : pick(WALLETS, random());
    const device = random() < 0.85 ? `dev_${customer}` : `dev_${customer}_${Math.floor(random() * 3)}`;
    const at = START + Math.floor((k / count) * SPAN_DAYS * DAY_MS);
    const amount = Math.round(100 * Math.pow(5_000, random())); // 1 yuan to 5,000, log-uniform
    const roll = random();
    const type = roll < 0.7 ? 'order.succeeded' : roll < 0.75 ? 'refund.succeeded' : 'risk.login';
    yield {
      id: `evt_${k}`,
      type,
      at,
      merchant_id: `mch_${customer % MERCHANTS}`,
      customer_id: `cus_${customer}`,
      payer_id: type === 'risk.login' ? null : `p_${customer}`,
      fields: {
        channel: type === 'risk.login' ? null : wallet,
        pay_way: pick(PAY_WAYS[wallet], random()),
        amount,
        device_id: device,
        full_refund: random() < 0.6,
        paid_at: at - Math.floor(random() * 7 * DAY_MS),
      },
    };
  }
}
