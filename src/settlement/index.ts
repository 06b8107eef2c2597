/**
 * Settlement (CONTRACT §7): the working-day calendar for T+N, per-merchant settlement of a trade
 * date and the payout file. This file is the only one other modules import.
 */
export {
  addDays,
  arrangementProblems,
  CalendarYearMissingError,
  isDate,
  WorkingDayCalendar,
  type YearArrangement,
} from './calendar.js';
export { CN_ARRANGEMENTS } from './calendar-cn.js';
export {
  settle,
  SettlementAccumulator,
  type MerchantSettlement,
  type SettlementItem,
  type SettlementStatus,
} from './compute.js';
export {
  csvField,
  PAYOUT_CSV_HEADER,
  payoutCsv,
  planPayouts,
  type BankAccount,
  type PayoutPlan,
  type PayoutRow,
  type SkipReason,
} from './payout-file.js';
export { fromTotals } from './compute.js';
export { calendarYear, loadCalendar, putCalendarYear } from './calendar-store.js';
export {
  chinaDate,
  chinaDayRange,
  DEFAULT_SETTLEMENT_DAYS,
  settlementDaysFrom,
  SettlementConfigError,
} from './config.js';
export {
  dueTradeDates,
  noMismatches,
  settleTradeDate,
  SettlementNotDueError,
  tradeDatesOf,
  type SettleResult,
  type UnresolvedMismatch,
  type UnresolvedMismatches,
} from './run.js';
export { dayTotals, type DayTotals } from './store.js';
export { movePayout, runPayouts, type PayoutAction, type PayoutRunResult } from './payouts.js';
export { placeHold, releaseHold, releaseSettlement } from './holds.js';
export { partyStatements, statementCsv, type StatementLine } from './statements.js';
export {
  payoutsIfComplete,
  scheduleDailySettlement,
  settleDue,
  settlementJobHandlers,
  SETTLEMENT_QUEUE,
  type DailyResult,
} from './jobs.js';
export { registerSettlementAdminRoutes, type SettlementRouteOptions } from './http/admin-routes.js';
export { registerSettlementMerchantRoutes } from './http/merchant-routes.js';
