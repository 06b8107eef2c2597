/**
 * The working-day calendar that T+N counts in (CONTRACT §7): Monday to Friday, minus the public
 * holidays, plus the make-up working days (调休) that fall on a weekend. Dates are `yyyy-MM-dd`
 * China dates; the arithmetic is on UTC midnight, so no time zone can shift a day.
 */

export interface YearArrangement {
  year: number;
  /** days off that would otherwise be working days (or fall inside the holiday) */
  holidays: readonly string[];
  /** weekend days that are working days */
  workdays: readonly string[];
}

/** Asked about a year nobody has set: refusing is safer than paying out on a holiday. */
export class CalendarYearMissingError extends Error {
  constructor(readonly year: number) {
    super(`no working-day calendar for ${year}: set it with PUT /admin/v1/calendar/${year}`);
    this.name = 'CalendarYearMissingError';
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  // a month 13 or a day 41 is an invalid Date (whose toISOString throws); 02-30 rolls over
  const at = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === text;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function isWeekend(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

/** What is wrong with an arrangement for `year` (empty when it can be used): for a 4xx reply. */
export function arrangementProblems(
  year: number,
  body: { holidays: readonly string[]; workdays: readonly string[] },
): string[] {
  const problems: string[] = [];
  for (const [field, dates] of [
    ['holidays', body.holidays],
    ['workdays', body.workdays],
  ] as const) {
    for (const date of dates) {
      if (!isDate(date)) problems.push(`${field}: ${JSON.stringify(date)} is not a yyyy-MM-dd date`);
      else if (Number(date.slice(0, 4)) !== year) problems.push(`${field}: ${date} is not in ${year}`);
    }
  }
  const holidays = new Set(body.holidays);
  for (const date of body.workdays) {
    if (holidays.has(date)) problems.push(`workdays: ${date} is also a holiday`);
    else if (isDate(date) && !isWeekend(date)) problems.push(`workdays: ${date} is a weekday already`);
  }
  return problems;
}

export class WorkingDayCalendar {
  private readonly years = new Map<number, { holidays: Set<string>; workdays: Set<string> }>();

  constructor(arrangements: Iterable<YearArrangement> = []) {
    for (const a of arrangements) this.set(a);
  }

  /** replaces one year's arrangement (the admin `PUT /admin/v1/calendar/{year}`) */
  set(arrangement: YearArrangement): void {
    const problems = arrangementProblems(arrangement.year, arrangement);
    if (problems.length > 0) throw new RangeError(problems.join('; '));
    this.years.set(arrangement.year, {
      holidays: new Set(arrangement.holidays),
      workdays: new Set(arrangement.workdays),
    });
  }

  hasYear(year: number): boolean {
    return this.years.has(year);
  }

  isWorkingDay(date: string): boolean {
    if (!isDate(date)) throw new RangeError(`not a yyyy-MM-dd date: ${JSON.stringify(date)}`);
    const year = this.years.get(Number(date.slice(0, 4)));
    if (!year) throw new CalendarYearMissingError(Number(date.slice(0, 4)));
    if (year.workdays.has(date)) return true;
    if (year.holidays.has(date)) return false;
    return !isWeekend(date);
  }

  /** the n-th working day after `date` (n ≥ 1); `date` itself may be any day */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`N must be a positive integer, not ${n}`);
    let day = date;
    for (let counted = 0; counted < n;) {
      day = addDays(day, 1);
      if (this.isWorkingDay(day)) counted++;
    }
    return day;
  }

  /** T+N: the day the trades of `tradeDate` are settled to the merchants (default N = 1) */
  settlementDate(tradeDate: string, n = 1): string {
    return this.addWorkingDays(tradeDate, n);
  }
}
