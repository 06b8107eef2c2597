import { parseAccount } from './accounts.js';

/** The public objects of CONTRACT §6, pure. */

export function balanceObject(b: { pending: number; available: number; paid_out: number }) {
  return { object: 'balance' as const, currency: 'CNY', ...b };
}

export interface EntryRow {
  id: string;
  balance_type: string | null;
  amount: number;
  fee: number;
  net: number;
  source: string;
  created_at: Date;
}

export function balanceTransactionObject(row: EntryRow) {
  return {
    object: 'balance_transaction' as const,
    id: row.id,
    type: row.balance_type,
    amount: row.amount,
    fee: row.fee,
    net: row.net,
    source: row.source,
    created_at: row.created_at.toISOString(),
  };
}

/** Net balance of each account on its side; the totals are equal when the ledger balances. */
export function trialBalance(totals: Array<{ account: string; debit: number; credit: number }>) {
  const accounts = totals.map((t) => {
    const net = t.debit - t.credit;
    return { account: t.account, debit: net > 0 ? net : 0, credit: net < 0 ? -net : 0 };
  });
  return {
    object: 'trial_balance' as const,
    accounts,
    total_debit: accounts.reduce((a, x) => a + x.debit, 0),
    total_credit: accounts.reduce((a, x) => a + x.credit, 0),
  };
}

const PARTY_OF: Record<string, string> = {
  income_institution: 'institution',
  income_bank: 'bank',
  income_service_provider: 'service_provider',
};

export function revenueObject(incomes: Array<{ account: string; amount: number }>) {
  const parties = incomes.flatMap((i) => {
    const parsed = parseAccount(i.account);
    const party = parsed ? PARTY_OF[parsed.kind] : undefined;
    return parsed && party ? [{ party, id: parsed.owner, amount: i.amount }] : [];
  });
  return { object: 'revenue' as const, parties };
}
