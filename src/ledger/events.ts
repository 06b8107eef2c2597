import {
  insertOrderFee,
  orderFeeRow,
  ratesFor,
  ratesFromSources,
  recordRefundFee,
  type RateSources,
  type Rates,
  splitFee,
  splitOf,
  type PaidOrder,
} from '../fees/index.js';
import type { QueryCreator } from 'kysely';
import type { Tx } from '../platform/db/index.js';
import type { Tables } from '../platform/db/tables.js';
import { bookingJob, isBookedOrQueued, queueBooking, queueBookingWith } from './booking.js';
import { latePaymentReceived, latePaymentRecovered, latePaymentRefunded, paymentSucceeded } from './rules.js';
import { refundAbnormal, refundSucceeded } from './rules.js';
import { postEntry } from './store.js';

/**
 * What the ledger consumes: payments' events. Their facts are fixed inside the transaction that
 * changes the order or refund (the caller's): the fee snapshot, the fee returned by a refund, and
 * the journal entry to book, queued with it (booking.ts) — so the money moves with the state or
 * not at all. The consumer writes the entries in batches shortly after. Each booking is keyed by
 * its business event, so a replay books nothing twice.
 */

/** A payment's fee snapshot row and its entry draft, pure. */
function paymentFacts(order: PaidOrder, now: Date, rates: Rates) {
  const channel = order.channel ?? 'unknown';
  const row = orderFeeRow({ ...order, channel }, rates, now);
  const draft = paymentSucceeded({
    orderId: order.id,
    merchantId: order.merchant_id,
    channel,
    amount: order.amount,
    split: splitOf(row),
    parties: { institutionId: rates.institutionId, serviceProviderId: rates.serviceProviderId },
  });
  return { row, draft };
}

/**
 * Snapshots the order's fee and queues the payment's entry (the rates read, then one statement);
 * returns the fee for order.fee. The notification path uses paymentBooking instead.
 */
export async function bookPaymentSucceeded(
  tx: Tx,
  order: PaidOrder,
  now: Date,
  sources?: RateSources | null,
): Promise<number> {
  const channel = order.channel ?? 'unknown';
  const rates = sources ? ratesFromSources(sources, channel) : await ratesFor(tx, order.merchant_id, channel);
  const { row, draft } = paymentFacts(order, now, rates);
  const queued = await queueBookingWith(tx, insertOrderFee(tx, row).returning('order_id'), draft, now);
  if (queued) return row.fee;
  // the order was snapshotted before: that snapshot (and the entry queued with it) stands
  const first = await tx
    .selectFrom('order_fees')
    .select('fee')
    .where('order_id', '=', order.id)
    .executeTakeFirstOrThrow();
  return first.fee;
}

export interface PaymentBooking {
  /**
   * order.fee: this snapshot's fee. An order snapshotted before keeps its first snapshot (the
   * insert below does nothing), so the caller shows that one's fee if it read one under the lock.
   */
  fee: number;
  /** the caller's query creator with the snapshot insert and the queued entry as CTEs */
  attach(qc: QueryCreator<Tables>): QueryCreator<Tables>;
}

/**
 * The payment's booking as parts of the caller's own statement (the order's UPDATE): the fee
 * snapshot and the queued entry ride on it as data-modifying CTEs, so booking a payment costs the
 * notification no round trip at all. `sources`: the merchant's rate sources, read with the lock.
 */
export function paymentBooking(order: PaidOrder, now: Date, sources: RateSources): PaymentBooking {
  const { row, draft } = paymentFacts(order, now, ratesFromSources(sources, order.channel ?? 'unknown'));
  const job = bookingJob(draft, now);
  return {
    fee: row.fee,
    attach: (qc) =>
      qc
        .with('ledger_snapshot', (c) => insertOrderFee(c, row).returning('order_id'))
        .with('ledger_queued', (c) =>
          c
            .insertInto('jobs')
            .values(job)
            .onConflict((oc) => oc.column('dedupe_key').doNothing())
            .returning('id'),
        ) as unknown as QueryCreator<Tables>,
  };
}

/** Refund event types the ledger books, by name: `refund.abnormal` counts as refunded. */
const REFUND_OUTCOMES: Record<string, 'succeeded' | 'abnormal'> = {
  'refund.succeeded': 'succeeded',
  'refund.abnormal': 'abnormal',
};

export function refundOutcomeOf(eventType: string): 'succeeded' | 'abnormal' | null {
  return REFUND_OUTCOMES[eventType] ?? null;
}

export interface RefundedRefund {
  id: string;
  order_id: string;
  merchant_id: string;
  amount: number;
}

/**
 * Records the fee a refund that succeeded (or ended abnormal) gives back, queues its entry, and
 * returns that fee, or null
 * when this refund was booked already (a replay) or its order has no fee snapshot.
 */
export async function bookRefund(
  tx: Tx,
  refund: RefundedRefund,
  outcome: 'succeeded' | 'abnormal',
  now: Date,
): Promise<number | null> {
  // succeeded and abnormal are one refund's outcomes: whichever came first is booked
  if (await isBookedOrQueued(tx, `refund_succeeded:${refund.id}`)) return null;
  const recorded = await recordRefundFee(tx, refund.order_id, refund.amount);
  if (!recorded) return null;
  const { snapshot, parts } = recorded;
  const facts = {
    refundId: refund.id,
    orderId: refund.order_id,
    merchantId: refund.merchant_id,
    channel: snapshot.channel,
    amount: refund.amount,
    returned: parts,
    parties: { institutionId: snapshot.institution_id, serviceProviderId: snapshot.service_provider_id },
  };
  await queueBooking(tx, outcome === 'abnormal' ? refundAbnormal(facts) : refundSucceeded(facts), now);
  return parts.fee;
}

export interface LatePayment {
  orderId: string;
  merchantId: string;
  channel: string;
  amount: number;
}

/** Money for a closed or failed order: into suspense (once per order). */
export async function bookLatePayment(tx: Tx, late: LatePayment, now: Date): Promise<void> {
  await postEntry(tx, latePaymentReceived({ ...late, exceptionId: late.orderId }), now);
}

/** An operator's decision on a late payment: credit the merchant, or send it back to the payer. */
export async function bookLatePaymentResolution(
  tx: Tx,
  late: LatePayment,
  outcome: 'recovered' | 'refunded',
  now: Date,
): Promise<void> {
  const base = { ...late, exceptionId: late.orderId };
  if (outcome === 'refunded') {
    await postEntry(tx, latePaymentRefunded(base), now);
    return;
  }
  const rates = await ratesFor(tx, late.merchantId, late.channel);
  await postEntry(
    tx,
    latePaymentRecovered({
      ...base,
      split: splitFee(late.amount, rates.snapshot),
      parties: { institutionId: rates.institutionId, serviceProviderId: rates.serviceProviderId },
    }),
    now,
  );
}
