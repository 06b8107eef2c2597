import type { SelectQueryBuilder } from 'kysely';

/**
 * The query half of admin-list pagination (the page half is core/pagination.ts: parseLimit,
 * toPage): newest first by the time-sortable `id`, limit + 1 rows so toPage can tell whether there
 * is more, after the last id of the previous page. Every list of the admin and merchant APIs pages
 * through it.
 */

export interface PageWindow {
  limit: number;
  /** the last id of the previous page; absent (or '') for the first page */
  startingAfter?: string | number | undefined;
}

/**
 * `query` narrowed to one page; `equal` adds `column = value` for each value given (an absent or
 * empty value does not narrow, as an absent query parameter does not).
 */
export function newestFirst<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  window: PageWindow,
  equal: { [K in keyof O]?: O[K] | undefined } = {},
): SelectQueryBuilder<DB, TB, O> {
  // the column names are checked against the row type above; Kysely cannot follow them generically
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let q = query.orderBy('id' as any, 'desc').limit(window.limit + 1) as SelectQueryBuilder<any, any, O>;
  for (const [column, value] of Object.entries(equal)) if (value) q = q.where(column, '=', value);
  if (window.startingAfter !== undefined && window.startingAfter !== '')
    q = q.where('id', '<', window.startingAfter);
  return q as SelectQueryBuilder<DB, TB, O>;
}
