/**
 * Account codes, `kind:owner`. Assets (what we hold or are owed) are debit-normal; what we owe
 * (merchant balances) and what parties earned are credit-normal. Postings are signed: a debit is
 * positive, a credit negative, and every entry sums to zero.
 */

export const ACCOUNT_KINDS = {
  /** what a channel owes us: payments net of its cost, until it settles */
  channel_receivable: 'asset',
  /** cash at the settlement bank */
  settlement_bank_cash: 'asset',
  /** a merchant's money not yet settled */
  merchant_pending: 'liability',
  /** a merchant's settled money, not yet paid out */
  merchant_available: 'liability',
  /** what has been paid out to the merchant's bank account so far */
  merchant_paid_out: 'liability',
  /** a party's share of the margin: institution, bank, service provider */
  income_institution: 'income',
  income_bank: 'income',
  income_service_provider: 'income',
  /** money we hold without a home yet: late payments, abnormal refunds, adjustments */
  suspense: 'liability',
} as const;

export type AccountKind = keyof typeof ACCOUNT_KINDS;

export function account(kind: AccountKind, owner: string): string {
  return `${kind}:${owner}`;
}

export function parseAccount(code: string): { kind: AccountKind; owner: string } | null {
  const at = code.indexOf(':');
  if (at < 0) return null;
  const kind = code.slice(0, at);
  const owner = code.slice(at + 1);
  if (!(kind in ACCOUNT_KINDS) || !/^[a-z0-9_]{1,64}$/.test(owner)) return null;
  return { kind: kind as AccountKind, owner };
}

export const merchantAccounts = (merchantId: string) => ({
  pending: account('merchant_pending', merchantId),
  available: account('merchant_available', merchantId),
  paidOut: account('merchant_paid_out', merchantId),
});

/** 16 cached-balance rows per account: concurrent entries into one account rarely share a row. */
export const BALANCE_SHARDS = 16;

/** A stable shard from the entry id (its random tail), so retries land on the same row. */
export function shardOf(entryId: string, shards = BALANCE_SHARDS): number {
  let h = 0;
  for (let i = entryId.length - 6; i < entryId.length; i++) h = (h * 31 + entryId.charCodeAt(i)) | 0;
  return Math.abs(h) % shards;
}
