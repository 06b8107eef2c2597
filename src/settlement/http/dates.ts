import { ApiError } from '../../core/errors.js';
import { isDate } from '../calendar.js';

/** A China date in a route: real, and within 2000–2099 (the database's time range and ours). */
export function day(value: string, param: string): string {
  if (!isDate(value) || value < '2000-01-01' || value > '2099-12-31')
    throw new ApiError('parameter_invalid', `${param} is not a date (YYYY-MM-DD, 2000–2099)`, param);
  return value;
}
