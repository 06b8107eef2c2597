import type { Clock } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import type { Queryable } from '../../platform/db/index.js';
import { getSetting, putSetting } from '../../platform/settings.js';
import type { OrderRow } from '../order-view.js';
import type { PageOrder } from './pages.js';
import { DEFAULT_WALLET_RULES, validateWalletRules, type WalletRule } from './wallet-rules.js';

/** What the cashier reads and keeps: the scanned order with its merchant's name, the wallet rules. */

const RULES_KEY = 'cashier_wallet_rules';
const ORDER_ID = /^ord_[0-9a-z]{26}$/;

/** The order behind a cashier link and what its pages show; 404 for anything else. */
export async function loadCashierOrder(
  db: Queryable,
  id: string,
): Promise<{ order: OrderRow; page: PageOrder }> {
  if (!ORDER_ID.test(id)) throw new ApiError('resource_missing', `no order ${id}`, 'id');
  const row = await db
    .selectFrom('orders')
    .innerJoin('merchants', 'merchants.id', 'orders.merchant_id')
    .selectAll('orders')
    .select('merchants.name as merchant_name')
    .where('orders.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new ApiError('resource_missing', `no order ${id}`, 'id');
  const { merchant_name, ...order } = row;
  const page: PageOrder = {
    id: order.id,
    amount: order.amount,
    subject: order.subject,
    merchantName: merchant_name,
    status: order.status,
  };
  return { order, page };
}

/** The operator's User-Agent rules, or the built-in ones until an operator sets some. */
export async function loadWalletRules(db: Queryable): Promise<readonly WalletRule[]> {
  return (await getSetting<WalletRule[]>(db, RULES_KEY)) ?? DEFAULT_WALLET_RULES;
}

/** Replaces the wallet rules; a rule that does not compile is a 422 naming it. */
export async function saveWalletRules(db: Queryable, rules: WalletRule[], clock: Clock): Promise<void> {
  const problem = validateWalletRules(rules);
  if (problem) throw new ApiError('validation_failed', problem, problem.split(':')[0]);
  await putSetting(db, RULES_KEY, rules, clock);
}
