import type { Cache } from '../platform/cache/cache.js';
import type { Queryable } from '../platform/db/index.js';
import { customerSubject, payerSubject } from './hooks.js';
import { KEEP_MS, outcomesKey, type Dimension, type OutcomeKind } from './windows.js';

/**
 * Outcome counters (the near-real-time tier): payments that succeeded and refunds that succeeded
 * are added by the stream consumer to windows of their own, per dimension, which rules read as
 * `count("payer", "24h", "succeeded")` or `sum("customer", "1h", "refunded")`. A member is the
 * order or refund id at the time the outcome happened, so a redelivered event changes nothing.
 */

export interface CountedOutcome {
  kind: OutcomeKind;
  /** order or refund id: the window member */
  id: string;
  atMs: number;
  amount: number;
  subjects: Partial<Record<Dimension, string>>;
}

/** The succeeded payment of an order, with its subjects in list form; undefined if not paid. */
export async function paymentOutcome(db: Queryable, orderId: string): Promise<CountedOutcome | undefined> {
  const o = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  if (!o || o.status !== 'succeeded') return undefined;
  return {
    kind: 'succeeded',
    id: o.id,
    atMs: (o.paid_at ?? o.updated_at).getTime(),
    amount: o.amount,
    subjects: subjectsOf(o),
  };
}

/** The succeeded refund, counted against the order's subjects; undefined if not succeeded. */
export async function refundCounted(db: Queryable, refundId: string): Promise<CountedOutcome | undefined> {
  const r = await db.selectFrom('refunds').selectAll().where('id', '=', refundId).executeTakeFirst();
  if (!r || r.status !== 'succeeded' || !r.succeeded_at) return undefined;
  const o = await db.selectFrom('orders').selectAll().where('id', '=', r.order_id).executeTakeFirst();
  if (!o) return undefined;
  return {
    kind: 'refunded',
    id: r.id,
    atMs: r.succeeded_at.getTime(),
    amount: r.amount,
    subjects: subjectsOf(o),
  };
}

function subjectsOf(o: {
  merchant_id: string;
  channel: string | null;
  channel_payer_id: string | null;
  payer: unknown;
  customer_id: string | null;
  device_id: string | null;
  client_ip: string | null;
}): Partial<Record<Dimension, string>> {
  const payer = o.channel_payer_id ?? Object.values((o.payer as Record<string, string> | null) ?? {})[0];
  return {
    ...(o.channel && payer ? { payer: payerSubject(o.channel, payer) } : {}),
    ...(o.customer_id ? { customer: customerSubject(o.merchant_id, o.customer_id) } : {}),
    ...(o.device_id ? { device: o.device_id } : {}),
    ...(o.client_ip ? { ip: o.client_ip } : {}),
  };
}

/** Adds the outcome to each of its dimensions' windows. */
export async function countOutcome(cache: Cache, outcome: CountedOutcome, nowMs: number): Promise<void> {
  await Promise.all(
    (Object.entries(outcome.subjects) as Array<[Dimension, string]>).map(([dimension, value]) =>
      cache.window(outcomesKey(outcome.kind, dimension, value), {
        nowMs,
        keepMs: KEEP_MS,
        add: { member: outcome.id, atMs: outcome.atMs, amount: outcome.amount },
        windowsMs: [],
      }),
    ),
  );
}
