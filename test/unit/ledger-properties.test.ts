import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refundSplit, splitFee, type FeeSplit, type RateSnapshot } from '../../src/fees/index.js';
import {
  merchantAccounts,
  postingRules as rules,
  refundOutcomeOf,
  UnbalancedEntryError,
  type EntryDraft,
} from '../../src/ledger/index.js';
import { MemoryLedger } from '../support/memory-ledger.js';

/**
 * Random sequences of payments, partial and full refunds, abnormal refunds, late payments and
 * their resolution, settlements, payouts (sent and returned), adjustments, duplicate and
 * reordered events and replays, booked by the posting rules into a ledger with the store's
 * semantics, and checked against an auditor that only adds up what happened.
 * Seeded; 500 runs of 50–400 operations: more than 10^5 operations per run of the suite.
 */

const SEED = 11_2026;
const RUNS = 500;
const MAX_OPS = 400;
const MERCHANTS = ['mch_a', 'mch_b', 'mch_hot'];
const CHANNELS = ['wechatpay', 'alipay', 'unionpay'];
const PARTIES = { institutionId: 'ins_1', serviceProviderId: 'isp_1' };

type Op =
  | { kind: 'pay'; m: number; c: number; amount: number }
  | { kind: 'refund'; pick: number; share: number; abnormal: boolean }
  | { kind: 'late'; c: number; m: number; amount: number }
  | { kind: 'resolve'; pick: number; recover: boolean }
  | { kind: 'settle'; m: number; share: number }
  | { kind: 'payout'; m: number; share: number; returned: boolean }
  | { kind: 'adjust'; m: number; amount: number }
  | { kind: 'replay'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      m: fc.nat(2),
      c: fc.nat(2),
      amount: fc.integer({ min: 1, max: 5_000_000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      pick: fc.nat(),
      share: fc.integer({ min: 1, max: 100 }),
      abnormal: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('late' as const),
      c: fc.nat(2),
      m: fc.nat(2),
      amount: fc.integer({ min: 1, max: 100_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('resolve' as const), pick: fc.nat(), recover: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      m: fc.nat(2),
      share: fc.integer({ min: 1, max: 100 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('payout' as const),
      m: fc.nat(2),
      share: fc.integer({ min: 1, max: 100 }),
      returned: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('adjust' as const),
      m: fc.nat(2),
      amount: fc.integer({ min: -5000, max: 5000 }).filter((a) => a !== 0),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }) },
);

const snapshotArb = fc.record({
  rate: fc.integer({ min: 0, max: 10_000 }),
  costRate: fc.integer({ min: 0, max: 8_000 }),
  shares: fc.constantFrom(
    { service_provider: 500_000, bank: 300_000 },
    { service_provider: 1_000_000, bank: 0 },
    { service_provider: 333_333, bank: 333_333 },
  ),
  hasProvider: fc.constant(true),
}) as fc.Arbitrary<RateSnapshot>;

/** The auditor: sums of what happened, nothing else. */
interface Audit {
  payments: number;
  refunds: number;
  fees: number;
  feeRefunds: number;
  adjustments: number;
}

function runScenario(ops: Op[], snapshots: RateSnapshot[], permutation: number[]) {
  const ledger = new MemoryLedger();
  const audit = new Map(
    MERCHANTS.map((m) => [m, { payments: 0, refunds: 0, fees: 0, feeRefunds: 0, adjustments: 0 } as Audit]),
  );
  let margins = 0; // Σ fee − cost of everything booked, net of refunds
  const orders: Array<{
    id: string;
    m: string;
    c: string;
    amount: number;
    refunded: number;
    whole: FeeSplit;
  }> = [];
  const lates: Array<{ id: string; m: string; c: string; amount: number; resolved: boolean }> = [];
  const drafts: EntryDraft[] = [];
  const book = (d: EntryDraft) => {
    drafts.push(d);
    if (!ledger.post(d)) throw new Error(`a new event was refused as a replay: ${d.eventKey}`);
  };
  const pending = (m: string) => -ledger.cached(merchantAccounts(m).pending);
  const available = (m: string) => -ledger.cached(merchantAccounts(m).available);

  ops.forEach((op, i) => {
    switch (op.kind) {
      case 'pay': {
        const m = MERCHANTS[op.m]!;
        const c = CHANNELS[op.c]!;
        const whole = splitFee(op.amount, snapshots[op.c]!);
        const order = { id: `ord_${i}`, m, c, amount: op.amount, refunded: 0, whole };
        orders.push(order);
        book(
          rules.paymentSucceeded({
            orderId: order.id,
            merchantId: m,
            channel: c,
            amount: op.amount,
            split: whole,
            parties: PARTIES,
          }),
        );
        const a = audit.get(m)!;
        a.payments += op.amount;
        a.fees += whole.fee;
        margins += whole.fee - whole.channelCost;
        break;
      }
      case 'refund': {
        const open = orders.filter((o) => o.refunded < o.amount);
        if (open.length === 0) break;
        const o = open[op.pick % open.length]!;
        const left = o.amount - o.refunded;
        const amount = op.share === 100 ? left : Math.max(1, Math.floor((left * op.share) / 100));
        const returned = refundSplit(o.whole, o.amount, o.refunded, amount);
        o.refunded += amount;
        const facts = {
          refundId: `rfd_${i}`,
          orderId: o.id,
          merchantId: o.m,
          channel: o.c,
          amount,
          returned,
          parties: PARTIES,
        };
        book(op.abnormal ? rules.refundAbnormal(facts) : rules.refundSucceeded(facts));
        const a = audit.get(o.m)!;
        a.refunds += amount;
        a.feeRefunds += returned.fee;
        margins -= returned.fee - returned.channelCost;
        break;
      }
      case 'late': {
        const late = {
          id: `ord_late_${i}`,
          m: MERCHANTS[op.m]!,
          c: CHANNELS[op.c]!,
          amount: op.amount,
          resolved: false,
        };
        lates.push(late);
        book(
          rules.latePaymentReceived({
            exceptionId: late.id,
            orderId: late.id,
            channel: late.c,
            amount: late.amount,
          }),
        );
        break;
      }
      case 'resolve': {
        const open = lates.filter((l) => !l.resolved);
        if (open.length === 0) break;
        const l = open[op.pick % open.length]!;
        l.resolved = true;
        const base = { exceptionId: l.id, orderId: l.id, channel: l.c, amount: l.amount };
        if (!op.recover) {
          book(rules.latePaymentRefunded(base));
          break;
        }
        const split = splitFee(l.amount, snapshots[CHANNELS.indexOf(l.c)]!);
        book(rules.latePaymentRecovered({ ...base, merchantId: l.m, split, parties: PARTIES }));
        const a = audit.get(l.m)!;
        a.payments += l.amount;
        a.fees += split.fee;
        margins += split.fee - split.channelCost;
        break;
      }
      case 'settle': {
        const m = MERCHANTS[op.m]!;
        const amount = Math.floor((pending(m) * op.share) / 100);
        if (amount <= 0) break;
        book(
          rules.settlement({
            settlementId: `stl_${i}`,
            merchantId: m,
            amount,
            channelCash: { channel: 'wechatpay', amount },
          }),
        );
        break;
      }
      case 'payout': {
        const m = MERCHANTS[op.m]!;
        const amount = Math.floor((available(m) * op.share) / 100);
        if (amount <= 0) break;
        book(rules.payoutSent({ payoutId: `po_${i}`, merchantId: m, amount }));
        if (op.returned) book(rules.payoutReturned({ payoutId: `po_${i}`, merchantId: m, amount }));
        break;
      }
      case 'adjust': {
        const m = MERCHANTS[op.m]!;
        const credit = op.amount > 0; // credit the merchant out of suspense, or take back into it
        const abs = Math.abs(op.amount);
        book(
          rules.adjustment({
            adjustmentId: `adj_${i}`,
            debit: credit ? 'suspense:adjustments' : merchantAccounts(m).pending,
            credit: credit ? merchantAccounts(m).pending : 'suspense:adjustments',
            amount: abs,
            reason: 'property test',
            actor: 'test',
            merchantId: m,
            merchantNet: op.amount,
          }),
        );
        audit.get(m)!.adjustments += op.amount;
        break;
      }
      case 'replay': {
        if (drafts.length === 0) break;
        const before = ledger.snapshot();
        if (ledger.post(drafts[op.pick % drafts.length]!)) throw new Error('a replay was booked twice');
        if (ledger.snapshot() !== before) throw new Error('a replay changed a balance');
        break;
      }
    }
  });

  // — the auditor's checks —
  let trial = 0;
  for (const account of ledger.accounts()) {
    const cached = ledger.cached(account);
    if (cached !== ledger.fromPostings(account)) throw new Error(`${account}: cached ${cached} ≠ postings`);
    trial += cached;
  }
  if (trial !== 0) throw new Error(`the trial balance is ${trial}, not 0`);
  for (const e of ledger.entries.values())
    if (e.postings.reduce((a, p) => a + p.amount, 0) !== 0)
      throw new Error(`${e.draft.eventKey} does not balance`);
  for (const m of MERCHANTS) {
    const acc = merchantAccounts(m);
    const held = -(ledger.cached(acc.pending) + ledger.cached(acc.available) + ledger.cached(acc.paidOut));
    const a = audit.get(m)!;
    const expected = a.payments - a.refunds - a.fees + a.feeRefunds + a.adjustments;
    if (held !== expected)
      throw new Error(`${m}: pending + available + paid out = ${held}, expected ${expected}`);
  }
  const incomes = ledger
    .accounts()
    .filter((a) => a.startsWith('income_'))
    .reduce((s, a) => s - ledger.cached(a), 0);
  if (incomes !== margins) throw new Error(`incomes ${incomes} ≠ Σ margins ${margins}`);
  for (const o of orders.filter((x) => x.refunded === x.amount)) {
    const returned = [...ledger.entries.values()]
      .filter((e) => e.draft.balanceType === 'refund' && e.draft.memo?.order_id === o.id)
      .reduce((s, e) => s - e.draft.fee, 0);
    if (returned !== o.whole.fee)
      throw new Error(`${o.id}: refunds returned ${returned} of fee ${o.whole.fee}`);
  }

  // — reordered and duplicated delivery: the same events in another order, each twice —
  const reordered = new MemoryLedger();
  for (const k of permutation) {
    const d = drafts[k % Math.max(1, drafts.length)];
    if (d) reordered.post(d);
  }
  for (const d of drafts) reordered.post(d);
  for (const account of ledger.accounts())
    if (reordered.cached(account) !== ledger.cached(account))
      throw new Error(`${account}: reordering changed it`);
  return ops.length;
}

describe('ledger: posting rules against the auditor', () => {
  it(`every entry balances, the trial balance is zero, merchants and parties add up (seed ${SEED})`, () => {
    let operations = 0;
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 50, maxLength: MAX_OPS, size: 'max' }),
        fc.array(snapshotArb, { minLength: 3, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        (ops, snapshots, permutation) => {
          operations += runScenario(ops, snapshots, permutation);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    expect(operations).toBeGreaterThanOrEqual(100_000);
  });

  it('refuses an entry that does not balance', () => {
    const ledger = new MemoryLedger();
    const draft = rules.payoutSent({ payoutId: 'po_1', merchantId: 'mch_a', amount: 10 });
    draft.postings[0]!.amount += 1;
    expect(() => ledger.post(draft)).toThrow(UnbalancedEntryError);
    expect(ledger.entries.size).toBe(0);
  });

  it('books refund events by type name: succeeded and abnormal count as refunded, failed does not', () => {
    expect(refundOutcomeOf('refund.succeeded')).toBe('succeeded');
    expect(refundOutcomeOf('refund.abnormal')).toBe('abnormal');
    expect(refundOutcomeOf('refund.failed')).toBeNull();
    const facts = {
      refundId: 'rfd_1',
      orderId: 'ord_1',
      merchantId: 'mch_a',
      channel: 'wechatpay',
      amount: 10_000,
      returned: { fee: 30, channelCost: 20, provider: 5, bank: 3, institution: 2, absorbed: 0 },
      parties: PARTIES,
    };
    const abnormal = rules.refundAbnormal(facts);
    const normal = rules.refundSucceeded(facts);
    expect(abnormal.eventKey).toBe(normal.eventKey); // one refund, one entry, whichever outcome
    expect(abnormal.postings.find((p) => p.account === 'suspense:refund_abnormal')?.amount).toBe(-9_980);
    expect(abnormal.postings.find((p) => p.account === 'merchant_pending:mch_a')?.amount).toBe(9_970);
  });
});
