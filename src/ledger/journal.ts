import type { BalanceType } from './tables.js';

/**
 * A journal entry before it is written, and the checks every entry passes (in code here, and again
 * in the database at commit). Pure.
 */

export interface Posting {
  account: string;
  /** signed fen: debit > 0, credit < 0 */
  amount: number;
}

export interface EntryDraft {
  /** the business event: one entry per key, ever */
  eventKey: string;
  /** the posting rule that made it */
  type: string;
  /** how it shows among the merchant's balance transactions; null: not a merchant movement */
  balanceType: BalanceType | null;
  source: string;
  merchantId: string | null;
  /** the merchant's view: gross amount, fee, and net effect on its balance (signed) */
  amount: number;
  fee: number;
  net: number;
  postings: Posting[];
  memo?: Record<string, unknown>;
}

export class UnbalancedEntryError extends Error {}

/** Drops zero postings, merges repeats of one account, and refuses an entry that doesn't balance. */
export function checkedPostings(draft: EntryDraft): Posting[] {
  const byAccount = new Map<string, number>();
  for (const p of draft.postings) {
    if (!Number.isSafeInteger(p.amount))
      throw new UnbalancedEntryError(`${draft.eventKey}: posting ${p.account} is not integer fen`);
    byAccount.set(p.account, (byAccount.get(p.account) ?? 0) + p.amount);
  }
  const postings = [...byAccount]
    .filter(([, v]) => v !== 0)
    .map(([account, amount]) => ({ account, amount }));
  const total = postings.reduce((a, p) => a + p.amount, 0);
  if (total !== 0) throw new UnbalancedEntryError(`${draft.eventKey}: postings sum to ${total}, not 0`);
  if (postings.length < 2 && draft.postings.some((p) => p.amount !== 0))
    throw new UnbalancedEntryError(`${draft.eventKey}: an entry needs two postings`);
  return postings;
}

/** Debit/credit view of one signed posting total. */
export function sides(amount: number): { debit: number; credit: number } {
  return amount >= 0 ? { debit: amount, credit: 0 } : { debit: 0, credit: -amount };
}
