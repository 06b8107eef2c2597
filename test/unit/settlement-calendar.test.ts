import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CN_ARRANGEMENTS } from '../../src/settlement/calendar-cn.js';
import {
  addDays,
  arrangementProblems,
  CalendarYearMissingError,
  isDate,
  WorkingDayCalendar,
} from '../../src/settlement/calendar.js';

const calendar = new WorkingDayCalendar(CN_ARRANGEMENTS);

describe('working-day calendar (2026, State Council notice of 2025-11-04)', () => {
  it('T+1 over a weekend: Friday → Monday, Saturday and Sunday → Monday', () => {
    expect(calendar.settlementDate('2026-12-04')).toBe('2026-12-07');
    expect(calendar.settlementDate('2026-12-05')).toBe('2026-12-07');
    expect(calendar.settlementDate('2026-12-06')).toBe('2026-12-07');
    expect(calendar.settlementDate('2026-12-07')).toBe('2026-12-08');
  });

  it('T+1 over the Spring Festival, with its make-up Saturdays (2-14 and 2-28)', () => {
    // Fri 2-13 → the make-up Saturday 2-14 is a working day
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true);
    expect(calendar.settlementDate('2026-02-13')).toBe('2026-02-14');
    // Sat 2-14 → the holiday runs 2-15…2-23, so Tue 2-24
    expect(calendar.settlementDate('2026-02-14')).toBe('2026-02-24');
    for (let d = '2026-02-15'; d <= '2026-02-23'; d = addDays(d, 1))
      expect(calendar.isWorkingDay(d)).toBe(false);
    // Fri 2-27 → the make-up Saturday 2-28
    expect(calendar.settlementDate('2026-02-27')).toBe('2026-02-28');
    expect(calendar.settlementDate('2026-02-28')).toBe('2026-03-02');
  });

  it('T+N counts only working days: National Day week, T+3', () => {
    expect(calendar.settlementDate('2026-09-30', 1)).toBe('2026-10-08');
    expect(calendar.settlementDate('2026-09-30', 3)).toBe('2026-10-10'); // 10-10 is a make-up Saturday
  });

  it('refuses to count into a year nobody has set, until it is set', () => {
    expect(() => calendar.settlementDate('2026-12-31')).toThrow(CalendarYearMissingError);
    const edited = new WorkingDayCalendar(CN_ARRANGEMENTS);
    edited.set({ year: 2027, holidays: ['2027-01-01'], workdays: [] });
    expect(edited.settlementDate('2026-12-31')).toBe('2027-01-04');
  });

  it('rejects arrangements that cannot be right, with a reason per date', () => {
    expect(
      arrangementProblems(2027, {
        holidays: ['2027-02-30', '2026-10-01'],
        workdays: ['2027-01-05', '2027-01-02'],
      }),
    ).toEqual([
      'holidays: "2027-02-30" is not a yyyy-MM-dd date',
      'holidays: 2026-10-01 is not in 2027',
      'workdays: 2027-01-05 is a weekday already',
    ]);
    expect(arrangementProblems(2026, CN_ARRANGEMENTS[0]!)).toEqual([]);
  });

  it('the settlement date is a working day after the trade date, with no working day skipped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 340 }), fc.integer({ min: 1, max: 5 }), (offset, n) => {
        const trade = addDays('2026-01-01', offset);
        const settle = calendar.settlementDate(trade, n);
        expect(settle > trade).toBe(true);
        expect(calendar.isWorkingDay(settle)).toBe(true);
        let between = 0;
        for (let d = addDays(trade, 1); d < settle; d = addDays(d, 1))
          if (calendar.isWorkingDay(d)) between++;
        expect(between).toBe(n - 1);
      }),
    );
  });
});

describe('isDate', () => {
  it('says no to impossible dates instead of throwing', () => {
    for (const bad of ['6003-52-93', '2026-13-01', '2026-02-30', '2026-00-10', '2026-1-01', 'x'])
      expect(isDate(bad)).toBe(false);
    for (const good of ['2026-02-28', '2028-02-29', '0001-01-01']) expect(isDate(good)).toBe(true);
  });
});
