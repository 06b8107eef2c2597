import { toYuanString } from '../core/money.js';
import type { MerchantSettlement } from './compute.js';

/**
 * The bank transfer file of a settlement date (CONTRACT §7, `GET /admin/v1/payouts/{date}.csv`):
 * one row per merchant paid, account name, account number, bank, amount in yuan with two
 * decimals, reference. UTF-8, CRLF, RFC 4180 quoting.
 */

export interface BankAccount {
  accountName: string;
  accountNumber: string;
  bank: string;
}

export interface PayoutRow extends BankAccount {
  merchantId: string;
  amount: number;
  reference: string;
}

export type SkipReason = 'held' | 'nothing_to_pay' | 'no_bank_account';

export interface PayoutPlan {
  rows: PayoutRow[];
  /** settlements not in the file, and why: reported next to it, never silently dropped */
  skipped: { merchantId: string; reason: SkipReason; net: number }[];
}

/** Which settlements the file pays: not held, a positive net, a known account. */
export function planPayouts(
  settlements: readonly MerchantSettlement[],
  accountOf: (merchantId: string) => BankAccount | undefined,
  referenceOf: (s: MerchantSettlement) => string,
): PayoutPlan {
  const plan: PayoutPlan = { rows: [], skipped: [] };
  for (const s of settlements) {
    const account = accountOf(s.merchantId);
    const reason: SkipReason | undefined =
      s.status === 'held'
        ? 'held'
        : s.net <= 0
          ? 'nothing_to_pay'
          : account === undefined
            ? 'no_bank_account'
            : undefined;
    if (reason !== undefined || account === undefined)
      plan.skipped.push({ merchantId: s.merchantId, reason: reason ?? 'no_bank_account', net: s.net });
    else plan.rows.push({ ...account, merchantId: s.merchantId, amount: s.net, reference: referenceOf(s) });
  }
  return plan;
}

export const PAYOUT_CSV_HEADER = ['account_name', 'account_number', 'bank', 'amount', 'reference'] as const;

/**
 * Quotes a field when it needs it, and defuses text a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@` first) with a leading apostrophe: the file is opened by people at a bank.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function payoutCsv(rows: readonly PayoutRow[]): string {
  const lines = [PAYOUT_CSV_HEADER.join(',')];
  for (const r of rows) {
    lines.push(
      [r.accountName, r.accountNumber, r.bank, toYuanString(r.amount), r.reference].map(csvField).join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
