import type { Clock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { postEntry, postingRules } from '../ledger/index.js';
import { settlementAccountOf, writeAudit } from '../merchants/index.js';
import { inTransaction, type Db, type Tx } from '../platform/db/index.js';
import { writeEvent } from '../platform/outbox/outbox.js';
import type { SecretBox } from '../platform/secret-box.js';
import type { SkipReason } from './payout-file.js';
import { inParallel } from './run.js';
import type { PayoutStatus } from './tables.js';

/**
 * Payouts (CONTRACT §7): one per merchant and settlement date, paying every settlement of the
 * merchant that is pending (not held, not yet paid) up to that date. Creating it moves the amount
 * from the merchant's available to paid_out (payout sent, in transit) and puts it in the bank
 * file; the operator then marks it paid, or failed → retried (same payout, same money in
 * transit) or returned (payout returned: back to available, its settlements pending again, so
 * the next settlement day pays them).
 */

export interface PayoutDeps {
  db: Db;
  clock: Clock;
  box: SecretBox;
}

export interface PayoutRunResult {
  settlementDate: string;
  created: number;
  amount: number;
  skipped: { merchantId: string; reason: SkipReason; net: number }[];
}

const mask = (n: string) =>
  n.length <= 8 ? '*'.repeat(n.length) : `${n.slice(0, 4)}${'*'.repeat(n.length - 8)}${n.slice(-4)}`;
const purpose = (id: string) => `payout:${id}`;
const PARALLEL = 4;

export async function runPayouts(deps: PayoutDeps, settlementDate: string): Promise<PayoutRunResult> {
  const { db, clock } = deps;
  const now = clock.now();
  // holds placed or released since the settlements were made apply to the payout
  await db
    .updateTable('settlements')
    .set({ status: 'held', hold_reason: 'operator_hold', updated_at: now })
    .where('status', '=', 'pending')
    .where('payout_id', 'is', null)
    .where('merchant_id', 'in', (eb) =>
      eb.selectFrom('merchant_holds').select('merchant_id').where('released_at', 'is', null),
    )
    .execute();
  await db
    .updateTable('settlements')
    .set({ status: 'pending', hold_reason: null, updated_at: now })
    .where('status', '=', 'held')
    .where('hold_reason', '=', 'operator_hold')
    .where('merchant_id', 'not in', (eb) =>
      eb.selectFrom('merchant_holds').select('merchant_id').where('released_at', 'is', null),
    )
    .execute();

  const result: PayoutRunResult = { settlementDate, created: 0, amount: 0, skipped: [] };
  const held = await db
    .selectFrom('settlements')
    .select('merchant_id')
    .select((eb) => eb.fn.sum<number>('net').as('net'))
    .where('status', '=', 'held')
    .where('settlement_date', '<=', settlementDate)
    .groupBy('merchant_id')
    .orderBy('merchant_id')
    .execute();
  for (const h of held)
    result.skipped.push({ merchantId: h.merchant_id, reason: 'held', net: Number(h.net) });

  const due = await db
    .selectFrom('settlements')
    .select('merchant_id')
    .select((eb) => [eb.fn.sum<number>('net').as('net'), eb.fn.count<number>('id').as('n')])
    .where('status', '=', 'pending')
    .where('payout_id', 'is', null)
    .where('settlement_date', '<=', settlementDate)
    .groupBy('merchant_id')
    .orderBy('merchant_id')
    .execute();
  // one transaction per merchant, PARALLEL at once: merchants touch disjoint ledger accounts
  await inParallel(due, PARALLEL, async (d) => {
    const net = Number(d.net);
    if (net <= 0) {
      // a day of more refunds than payments: carried to the next payout, which nets it
      result.skipped.push({ merchantId: d.merchant_id, reason: 'nothing_to_pay', net });
      return;
    }
    const account = await settlementAccountOf(db, deps.box, d.merchant_id);
    if (!account) {
      result.skipped.push({ merchantId: d.merchant_id, reason: 'no_bank_account', net });
      return;
    }
    const id = newId('payout', clock.nowMs());
    const created = await inTransaction(db, async (tx) => {
      const inserted = await tx
        .insertInto('payouts')
        .values({
          id,
          merchant_id: d.merchant_id,
          settlement_date: settlementDate,
          amount: net,
          status: 'paying',
          account_name: account.accountName,
          bank: account.bankName,
          account_no_masked: mask(account.accountNo),
          account_ciphertext: deps.box.seal(account.accountNo, purpose(id)),
          failure_reason: null,
          created_at: clock.now(),
          updated_at: clock.now(),
        })
        .onConflict((oc) => oc.columns(['merchant_id', 'settlement_date']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return false; // this date already paid the merchant; the rest waits for the next
      const taken = await tx
        .updateTable('settlements')
        .set({ status: 'paying', payout_id: id, updated_at: clock.now() })
        .where('merchant_id', '=', d.merchant_id)
        .where('status', '=', 'pending')
        .where('payout_id', 'is', null)
        .where('settlement_date', '<=', settlementDate)
        .returning('net')
        .execute();
      const total = taken.reduce((a, r) => a + Number(r.net), 0);
      // another run took some of them meanwhile: give up this one, the next run sees the rest
      if (total !== net) throw new PayoutRaceError();
      await postEntry(
        tx,
        postingRules.payoutSent({ payoutId: id, merchantId: d.merchant_id, amount: net }),
        clock.now(),
      );
      await writeEvent(
        tx,
        { topic: 'payout.created', payload: payoutEvent(id, d.merchant_id, settlementDate, net, 'paying') },
        clock,
      );
      return true;
    }).catch((error: unknown) => {
      if (error instanceof PayoutRaceError) return false;
      throw error;
    });
    if (created) {
      result.created++;
      result.amount += net;
    }
  });
  result.skipped.sort((a, b) => (a.merchantId < b.merchantId ? -1 : a.merchantId > b.merchantId ? 1 : 0));
  return result;
}

class PayoutRaceError extends Error {}

function payoutEvent(
  id: string,
  merchantId: string,
  settlementDate: string,
  amount: number,
  status: PayoutStatus,
) {
  return { payout_id: id, merchant_id: merchantId, settlement_date: settlementDate, amount, status };
}

export type PayoutAction = 'paid' | 'failed' | 'retry' | 'return';

/** Which status each action needs, and what it leads to. */
const MOVES: Record<PayoutAction, { from: readonly PayoutStatus[]; to: PayoutStatus }> = {
  paid: { from: ['paying'], to: 'paid' },
  failed: { from: ['paying'], to: 'failed' },
  retry: { from: ['failed'], to: 'paying' },
  // a bank may also send back a transfer it had accepted (closed account found days later)
  return: { from: ['failed', 'paid'], to: 'returned' },
};

/** The settlements' status while their payout is in each state (returned: pending again). */
const SETTLEMENT_STATUS = { paying: 'paying', paid: 'paid', failed: 'failed', returned: 'pending' } as const;

export async function movePayout(
  deps: Omit<PayoutDeps, 'box'>,
  payoutId: string,
  action: PayoutAction,
  options: { reason?: string; actor: string; requestId?: string },
) {
  const { db, clock } = deps;
  return inTransaction(db, async (tx) => {
    const payout = await tx
      .selectFrom('payouts')
      .selectAll()
      .where('id', '=', payoutId)
      .forUpdate()
      .executeTakeFirst();
    if (!payout) throw new ApiError('resource_missing', `no payout ${payoutId}`, 'id');
    const move = MOVES[action];
    if (!move.from.includes(payout.status))
      throw new ApiError(
        'state_conflict',
        `payout ${payoutId} is ${payout.status}; ${action} needs ${move.from.join(' or ')}`,
      );
    const now = clock.now();
    const updated = await tx
      .updateTable('payouts')
      .set({
        status: move.to,
        updated_at: now,
        ...(action === 'retry' ? { attempts: payout.attempts + 1 } : {}),
        ...(action === 'failed' || action === 'return'
          ? { failure_reason: options.reason ?? payout.failure_reason }
          : {}),
      })
      .where('id', '=', payoutId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await settlementsFollow(tx, payoutId, move.to, now);
    if (move.to === 'returned')
      await postEntry(
        tx,
        postingRules.payoutReturned({ payoutId, merchantId: payout.merchant_id, amount: payout.amount }),
        now,
      );
    await writeEvent(
      tx,
      {
        topic: `payout.${move.to}`,
        payload: payoutEvent(payoutId, payout.merchant_id, payout.settlement_date, payout.amount, move.to),
      },
      clock,
    );
    await writeAudit(
      tx,
      {
        actor: options.actor,
        action: `payout.${action}`,
        objectType: 'payout',
        objectId: payoutId,
        merchantId: payout.merchant_id,
        before: { status: payout.status },
        after: { status: move.to, reason: options.reason ?? null },
        requestId: options.requestId ?? null,
      },
      clock,
    );
    return updated;
  });
}

async function settlementsFollow(tx: Tx, payoutId: string, status: PayoutStatus, now: Date): Promise<void> {
  await tx
    .updateTable('settlements')
    .set({
      status: SETTLEMENT_STATUS[status],
      updated_at: now,
      ...(status === 'returned' ? { payout_id: null } : {}),
    })
    .where('payout_id', '=', payoutId)
    .execute();
}

/** The full account number of a payout, for the bank file only. */
export function payoutAccountNo(box: SecretBox, payout: { id: string; account_ciphertext: string }): string {
  return box.open(payout.account_ciphertext, purpose(payout.id));
}
