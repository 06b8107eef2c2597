import type { FeeSplit } from '../fees/index.js';
import { account, merchantAccounts } from './accounts.js';
import type { EntryDraft, Posting } from './journal.js';

/**
 * Posting rules: one pure function per business event, from the event's facts to a balanced
 * entry draft. Amounts are fen; a debit is positive. docs/money.md works each one through for a
 * 100.00 yuan WeChat payment at 0.30 % with a 0.20 % channel cost.
 */

/** Who shares an order's margin. */
export interface Parties {
  institutionId: string;
  serviceProviderId: string | null;
}

export interface PaymentFacts {
  orderId: string;
  merchantId: string;
  channel: string;
  amount: number;
  split: FeeSplit;
  parties: Parties;
}

/** Credits (negative postings) of each party's share; a negative share is a debit. */
function incomePostings(split: FeeSplit, parties: Parties, sign: 1 | -1): Posting[] {
  const out: Posting[] = [
    { account: account('income_institution', parties.institutionId), amount: -sign * split.institution },
    { account: account('income_bank', parties.institutionId), amount: -sign * split.bank },
  ];
  if (parties.serviceProviderId)
    out.push({
      account: account('income_service_provider', parties.serviceProviderId),
      amount: -sign * split.provider,
    });
  return out;
}

/** The channel owes the amount less its cost; the merchant is owed the amount less its fee; the
 * margin between the two is the parties' income. */
export function paymentSucceeded(f: PaymentFacts): EntryDraft {
  const m = merchantAccounts(f.merchantId);
  return {
    eventKey: `payment_succeeded:${f.orderId}`,
    type: 'payment_succeeded',
    balanceType: 'payment',
    source: f.orderId,
    merchantId: f.merchantId,
    amount: f.amount,
    fee: f.split.fee,
    net: f.amount - f.split.fee,
    postings: [
      { account: account('channel_receivable', f.channel), amount: f.amount - f.split.channelCost },
      { account: m.pending, amount: -(f.amount - f.split.fee) },
      ...incomePostings(f.split, f.parties, 1),
    ],
  };
}

export interface RefundFacts {
  refundId: string;
  orderId: string;
  merchantId: string;
  channel: string;
  amount: number;
  /** the parts of the order's fee this refund returns (fees/refundSplit) */
  returned: FeeSplit;
  parties: Parties;
}

/** The mirror of a payment for the refunded part: the merchant gives back the amount less the fee
 * returned to it, the channel returns its cost share, the parties give back their shares. */
export function refundSucceeded(f: RefundFacts): EntryDraft {
  return refundEntry(f, 'refund_succeeded', account('channel_receivable', f.channel));
}

/** A refund the channel reports as abnormal (the money did not reach the payer, e.g. a closed
 * card) counts as refunded for the merchant, but the money sits in suspense until an operator
 * sends it on, instead of leaving through the channel. */
export function refundAbnormal(f: RefundFacts): EntryDraft {
  return refundEntry(f, 'refund_abnormal', account('suspense', 'refund_abnormal'));
}

function refundEntry(f: RefundFacts, type: string, outOf: string): EntryDraft {
  const m = merchantAccounts(f.merchantId);
  return {
    eventKey: `refund_succeeded:${f.refundId}`, // succeeded and abnormal are one refund's outcome: one entry
    type,
    balanceType: 'refund',
    source: f.refundId,
    merchantId: f.merchantId,
    amount: -f.amount,
    fee: -f.returned.fee,
    net: -(f.amount - f.returned.fee),
    postings: [
      { account: m.pending, amount: f.amount - f.returned.fee },
      ...incomePostings(f.returned, f.parties, -1),
      { account: outOf, amount: -(f.amount - f.returned.channelCost) },
    ],
    memo: { order_id: f.orderId },
  };
}

export interface LatePaymentFacts {
  exceptionId: string;
  orderId: string;
  channel: string;
  amount: number;
}

/** Money arrived for an order that had already closed or failed: owed by the channel, held in
 * suspense until an operator recovers it for the merchant or refunds it. */
export function latePaymentReceived(f: LatePaymentFacts): EntryDraft {
  return {
    eventKey: `late_payment_received:${f.exceptionId}`,
    type: 'late_payment_received',
    balanceType: null,
    source: f.exceptionId,
    merchantId: null,
    amount: 0,
    fee: 0,
    net: 0,
    postings: [
      { account: account('channel_receivable', f.channel), amount: f.amount },
      { account: account('suspense', 'late_payment'), amount: -f.amount },
    ],
    memo: { order_id: f.orderId },
  };
}

/** Refunded to the payer: the channel gives it back, suspense is cleared. */
export function latePaymentRefunded(f: LatePaymentFacts): EntryDraft {
  return {
    ...latePaymentReceived(f),
    eventKey: `late_payment_resolved:${f.exceptionId}`,
    type: 'late_payment_refunded',
    postings: [
      { account: account('suspense', 'late_payment'), amount: f.amount },
      { account: account('channel_receivable', f.channel), amount: -f.amount },
    ],
  };
}

/** Recovered: booked for the merchant like a payment (fee and split at today's rates), out of
 * suspense; the channel's receivable drops by its cost. */
export function latePaymentRecovered(f: LatePaymentFacts & PaymentFacts): EntryDraft {
  const payment = paymentSucceeded(f);
  return {
    ...payment,
    eventKey: `late_payment_resolved:${f.exceptionId}`,
    type: 'late_payment_recovered',
    source: f.orderId,
    postings: [
      { account: account('suspense', 'late_payment'), amount: f.amount },
      { account: account('channel_receivable', f.channel), amount: -f.split.channelCost },
      ...payment.postings.slice(1),
    ],
    memo: { exception_id: f.exceptionId },
  };
}

export interface SettlementFacts {
  settlementId: string;
  merchantId: string;
  /** the merchant's money moved from pending to available */
  amount: number;
  /** the cash the channel paid into the settlement bank, if this settlement records it */
  channelCash?: { channel: string; amount: number };
}

export function settlement(f: SettlementFacts): EntryDraft {
  const m = merchantAccounts(f.merchantId);
  const cash: Posting[] = f.channelCash
    ? [
        { account: account('settlement_bank_cash', 'default'), amount: f.channelCash.amount },
        { account: account('channel_receivable', f.channelCash.channel), amount: -f.channelCash.amount },
      ]
    : [];
  return merchantMove(
    {
      eventKey: `settlement:${f.settlementId}:${f.merchantId}`,
      type: 'settlement',
      balanceType: 'settlement',
      source: f.settlementId,
      merchantId: f.merchantId,
      amount: f.amount,
    },
    { from: m.pending, to: m.available, amount: f.amount },
    cash,
  );
}

/**
 * Money moving between two of a merchant's own accounts, without a fee: `from` gives `amount`
 * to `to` (a debit and a credit), plus `more` postings; `head.amount` is the merchant's view.
 */
function merchantMove(
  head: Pick<EntryDraft, 'eventKey' | 'type' | 'balanceType' | 'source' | 'merchantId' | 'amount'>,
  move: { from: string; to: string; amount: number },
  more: Posting[] = [],
): EntryDraft {
  return {
    ...head,
    fee: 0,
    net: head.amount,
    postings: [
      { account: move.from, amount: move.amount },
      { account: move.to, amount: -move.amount },
      ...more,
    ],
  };
}

export interface PayoutFacts {
  payoutId: string;
  merchantId: string;
  amount: number;
}

/** Sent: available becomes paid out (the merchant's bank account has it). */
export function payoutSent(f: PayoutFacts): EntryDraft {
  const m = merchantAccounts(f.merchantId);
  return merchantMove(
    {
      eventKey: `payout_sent:${f.payoutId}`,
      type: 'payout_sent',
      balanceType: 'payout',
      source: f.payoutId,
      merchantId: f.merchantId,
      amount: -f.amount,
    },
    { from: m.available, to: m.paidOut, amount: f.amount },
  );
}

/** Returned by the merchant's bank (closed account …): back to available. */
export function payoutReturned(f: PayoutFacts): EntryDraft {
  const m = merchantAccounts(f.merchantId);
  return merchantMove(
    {
      eventKey: `payout_returned:${f.payoutId}`,
      type: 'payout_returned',
      balanceType: 'payout',
      source: f.payoutId,
      merchantId: f.merchantId,
      amount: f.amount,
    },
    { from: m.paidOut, to: m.available, amount: f.amount },
  );
}

export interface AdjustmentFacts {
  adjustmentId: string;
  debit: string;
  credit: string;
  amount: number;
  reason: string;
  actor: string;
  /** the merchant whose balance it touches, if any */
  merchantId: string | null;
  /** the merchant's side: +amount when its account is credited, −amount when debited */
  merchantNet: number;
}

/** An operator's correction: one debit, one credit, a reason, audited. */
export function adjustment(f: AdjustmentFacts): EntryDraft {
  return {
    eventKey: `adjustment:${f.adjustmentId}`,
    type: 'adjustment',
    balanceType: f.merchantId ? 'adjustment' : null,
    source: f.adjustmentId,
    merchantId: f.merchantId,
    amount: f.merchantNet,
    fee: 0,
    net: f.merchantNet,
    postings: [
      { account: f.debit, amount: f.amount },
      { account: f.credit, amount: -f.amount },
    ],
    memo: { reason: f.reason, actor: f.actor },
  };
}
