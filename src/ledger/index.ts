// The ledger module's public face: other modules import only this file.
export { account, merchantAccounts, parseAccount, ACCOUNT_KINDS, type AccountKind } from './accounts.js';
export { checkedPostings, UnbalancedEntryError, type EntryDraft, type Posting } from './journal.js';
export * as postingRules from './rules.js';
export { postEntry, accountTotals, postingTotals, creditBalances } from './store.js';
export {
  bookPaymentSucceeded,
  bookRefund,
  bookLatePayment,
  bookLatePaymentResolution,
  refundOutcomeOf,
} from './events.js';
export { registerBalanceRoutes } from './http/merchant-routes.js';
export { registerLedgerAdminRoutes } from './http/admin-routes.js';
