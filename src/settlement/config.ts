/**
 * `SETTLEMENT_DAYS`: N of T+N, in working days (default 1, at most 10). Read from the environment
 * by the processes that settle (the worker's daily job, `juhepay settle`).
 */
export const DEFAULT_SETTLEMENT_DAYS = 1;
export const MAX_SETTLEMENT_DAYS = 10;

export class SettlementConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'SettlementConfigError';
  }
}

export function settlementDaysFrom(env: Record<string, string | undefined>): number {
  const raw = env.SETTLEMENT_DAYS;
  if (raw === undefined || raw === '') return DEFAULT_SETTLEMENT_DAYS;
  const n = Number(raw);
  if (!/^\d{1,2}$/.test(raw) || n < 1 || n > MAX_SETTLEMENT_DAYS)
    throw new SettlementConfigError(
      'SETTLEMENT_DAYS',
      `must be an integer 1…${MAX_SETTLEMENT_DAYS}, got ${JSON.stringify(raw)}`,
    );
  return n;
}

/** The China (UTC+8) date of an instant, yyyy-MM-dd. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The instants a China date spans: [start, end). */
export function chinaDayRange(date: string): { start: Date; end: Date } {
  const start = new Date(`${date}T00:00:00+08:00`);
  return { start, end: new Date(start.getTime() + 86_400_000) };
}
