import { ApiError } from './errors.js';

/**
 * Cursor pagination for admin lists: newest first by the (time-sortable) id, `limit` per page,
 * `starting_after` = the last id of the previous page. Query strings arrive as text.
 */

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

export function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE;
  const n = /^[0-9]{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE)
    throw new ApiError('parameter_invalid', `limit must be an integer from 1 to ${MAX_PAGE}`, 'limit');
  return n;
}

export interface Page<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  /** pass as starting_after for the next page; null on the last page */
  next_starting_after: string | number | null;
}

/** `rows` were fetched with limit + 1 so one extra row tells whether there is more. */
export function toPage<R extends { id: string | number }, T>(
  rows: R[],
  limit: number,
  view: (row: R) => T,
): Page<T> {
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return {
    object: 'list',
    data: page.map(view),
    has_more: hasMore,
    next_starting_after: hasMore ? (page[page.length - 1]?.id ?? null) : null,
  };
}
