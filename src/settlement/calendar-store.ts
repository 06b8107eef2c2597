import type { Clock } from '../core/clock.js';
import type { Queryable } from '../platform/db/index.js';
import { WorkingDayCalendar, type YearArrangement } from './calendar.js';
import { CN_ARRANGEMENTS } from './calendar-cn.js';

/**
 * The calendar's years: the ones an operator set (`PUT /admin/v1/calendar/{year}`) win over the
 * built-in State Council notices (calendar-cn.ts).
 */

export interface StoredYear extends YearArrangement {
  source: 'builtin' | 'custom';
  updatedAt: Date | null;
}

export async function calendarYear(db: Queryable, year: number): Promise<StoredYear | undefined> {
  const row = await db
    .selectFrom('settlement_calendar_years')
    .selectAll()
    .where('year', '=', year)
    .executeTakeFirst();
  if (row)
    return {
      year,
      holidays: row.holidays,
      workdays: row.workdays,
      source: 'custom',
      updatedAt: row.updated_at,
    };
  const builtin = CN_ARRANGEMENTS.find((a) => a.year === year);
  return builtin ? { ...builtin, source: 'builtin', updatedAt: null } : undefined;
}

/** Replaces one year (the caller has checked it with arrangementProblems). */
export async function putCalendarYear(db: Queryable, arrangement: YearArrangement, clock: Clock) {
  const values = {
    holidays: JSON.stringify([...new Set(arrangement.holidays)].sort()),
    workdays: JSON.stringify([...new Set(arrangement.workdays)].sort()),
    updated_at: clock.now(),
  };
  await db
    .insertInto('settlement_calendar_years')
    .values({ year: arrangement.year, ...values })
    .onConflict((oc) => oc.column('year').doUpdateSet(values))
    .execute();
}

/** Every known year, built-in and set, as one calendar (a year missing refuses to count). */
export async function loadCalendar(db: Queryable): Promise<WorkingDayCalendar> {
  const rows = await db.selectFrom('settlement_calendar_years').selectAll().execute();
  const custom = new Set(rows.map((r) => r.year));
  return new WorkingDayCalendar([
    ...CN_ARRANGEMENTS.filter((a) => !custom.has(a.year)),
    ...rows.map((r) => ({ year: r.year, holidays: r.holidays, workdays: r.workdays })),
  ]);
}
