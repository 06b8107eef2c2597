import { ratesFor, recordRefundFee, snapshotOrderFee, splitFee, type PaidOrder } from '../fees/index.js';
import type { Tx } from '../platform/db/index.js';
import { latePaymentReceived, latePaymentRecovered, latePaymentRefunded, paymentSucceeded } from './rules.js';
import { refundAbnormal, refundSucceeded } from './rules.js';
import { postEntry } from './store.js';

/**
 * What the ledger consumes: payments' events, booked inside the transaction that changes the
 * order or refund (the caller's), so the money moves with the state or not at all. Each booking
 * is keyed by its business event, so a replay books nothing twice.
 */

/** Snapshots the order's fee and books the payment; returns the fee for order.fee. */
export async function bookPaymentSucceeded(tx: Tx, order: PaidOrder, now: Date): Promise<number> {
  const snap = await snapshotOrderFee(tx, order, now);
  await postEntry(
    tx,
    paymentSucceeded({
      orderId: order.id,
      merchantId: order.merchant_id,
      channel: snap.channel,
      amount: snap.amount,
      split: {
        fee: snap.fee,
        channelCost: snap.channel_cost,
        provider: snap.provider_amount,
        bank: snap.bank_amount,
        institution: snap.institution_amount,
        absorbed: Math.max(0, -snap.institution_amount),
      },
      parties: { institutionId: snap.institution_id, serviceProviderId: snap.service_provider_id },
    }),
    now,
  );
  return snap.fee;
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
 * Books a refund that succeeded (or ended abnormal) and returns the fee it gives back, or null
 * when this refund was booked already (a replay) or its order has no fee snapshot.
 */
export async function bookRefund(
  tx: Tx,
  refund: RefundedRefund,
  outcome: 'succeeded' | 'abnormal',
  now: Date,
): Promise<number | null> {
  const booked = await tx
    .selectFrom('ledger_entries')
    .select('id')
    .where('event_key', '=', `refund_succeeded:${refund.id}`)
    .executeTakeFirst();
  if (booked) return null;
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
  await postEntry(tx, outcome === 'abnormal' ? refundAbnormal(facts) : refundSucceeded(facts), now);
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
