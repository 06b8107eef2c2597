import type { YearArrangement } from './calendar.js';

/**
 * China's public holidays and make-up working days (调休) as the State Council publishes them each
 * November for the next year. Only years with a published notice are listed: a year missing here
 * must be set with `PUT /admin/v1/calendar/{year}` before anything settles into it.
 */
export const CN_ARRANGEMENTS: readonly YearArrangement[] = [
  {
    // 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04, 新华社)
    year: 2026,
    holidays: [
      ...['2026-01-01', '2026-01-02', '2026-01-03'], // 元旦
      ...['2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19'], // 春节
      ...['2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23'],
      ...['2026-04-04', '2026-04-05', '2026-04-06'], // 清明节
      ...['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05'], // 劳动节
      ...['2026-06-19', '2026-06-20', '2026-06-21'], // 端午节
      ...['2026-09-25', '2026-09-26', '2026-09-27'], // 中秋节
      ...['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'], // 国庆节
    ],
    workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
];
