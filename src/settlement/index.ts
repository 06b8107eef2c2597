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
