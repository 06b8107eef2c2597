import type { Queryable } from '../../platform/db/index.js';
import type { SecretBox } from '../../platform/secret-box.js';
import { openKyc } from './applications.js';

/** Where a merchant's money is paid: the settlement account of its onboarding application. */
export interface SettlementAccount {
  bankName: string;
  accountName: string;
  accountNo: string;
}

/**
 * The account of the merchant's newest approved (or partially approved) application, else of its
 * newest application of any status; undefined when it has none.
 */
export async function settlementAccountOf(
  db: Queryable,
  box: SecretBox,
  merchantId: string,
): Promise<SettlementAccount | undefined> {
  const rows = await db
    .selectFrom('onboarding_applications')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const row = rows.find((r) => r.status === 'approved' || r.status === 'partially_approved') ?? rows[0];
  if (!row) return undefined;
  const account = openKyc(box, row).settlement_account;
  return { bankName: account.bank_name, accountName: account.account_name, accountNo: account.account_no };
}
