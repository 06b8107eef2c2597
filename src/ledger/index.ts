// The ledger module's public face: other modules import only this file.
export { account, merchantAccounts, parseAccount, ACCOUNT_KINDS, type AccountKind } from './accounts.js';
export { checkedPostings, UnbalancedEntryError, type EntryDraft, type Posting } from './journal.js';
export * as postingRules from './rules.js';
export {
  postEntry,
  postEntries,
  accountTotals,
  postingTotals,
  creditBalances,
  type TimedDraft,
} from './store.js';
export {
  BOOKING_QUEUE,
  bookingJob,
  bookQueued,
  drainBookings,
  startBooking,
  queueBooking,
  type BookOptions,
  type StartBookingOptions,
} from './booking.js';
export {
  bookPaymentSucceeded,
  paymentBooking,
  type PaymentBooking,
  bookRefund,
  bookLatePayment,
  bookLatePaymentResolution,
  refundOutcomeOf,
} from './events.js';
export { registerBalanceRoutes } from './http/merchant-routes.js';
export { registerLedgerAdminRoutes } from './http/admin-routes.js';
