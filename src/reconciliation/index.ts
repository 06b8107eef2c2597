/**
 * Reconciliation (对账, CONTRACT §7): the channels' daily bills read as streams of typed records,
 * the matcher that compares them with JuhePay's orders and refunds, the daily run with its stored
 * bills and mismatches, and their resolution. This file is the only one other modules import.
 */
export type { ReconciliationTables, MismatchStatus } from './tables.js';

export { BillParseError } from './bills/types.js';
export type { BillParseOptions, BillTotals, ChannelBillRecord, ChannelRecordStatus } from './bills/types.js';
export { bytesOf, splitLines } from './bills/lines.js';
export { parseWechatBill, type WechatBillOptions } from './bills/wechat.js';
export { parseAlipayBill } from './bills/alipay.js';
export { parseUnionpayBill, parseUnionpayZm, type UnionpayBillOptions } from './bills/unionpay.js';
export { formatZmLine, ZM_FIELDS } from './bills/unionpay-zm.js';
export {
  compare,
  emptySummary,
  HashMatcher,
  hashMatch,
  matchKey,
  mergeMatch,
  tally,
  UnsortedInputError,
  type MatchOutcome,
  type MatchSummary,
  type MismatchType,
  type OutcomeType,
  type PlatformRecord,
} from './match.js';
export {
  parseBill,
  reconcileBill,
  type BillFormat,
  type DownloadedBill,
  type ReconcileResult,
} from './reconcile.js';
export {
  reconcileDay,
  ReconcileRequestError,
  BILL_FORMATS,
  type ReconcileDeps,
  type ReconcileRequest,
  type Progress,
} from './run.js';
export {
  reconciliationsOf,
  getReconciliation,
  ReconciliationBusyError,
  type ReconciliationRow,
  type MismatchRow,
} from './store.js';
export { unresolvedMismatches, mismatchesOf, type UnresolvedMismatch } from './mismatches.js';
export { resolveMismatch, differenceOf, type ResolveAction } from './resolve.js';
export { reconciliationJobHandlers, scheduleDailyReconciliation, nextRun, RECONCILE_QUEUE } from './jobs.js';
export { registerReconciliationAdminRoutes } from './http/admin-routes.js';
