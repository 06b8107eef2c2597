/**
 * Retry delays for failed jobs. Pure and deterministic (no jitter), so a test can assert the exact
 * run_at of every retry and an operator can predict when a job runs next.
 */

/** Delay in ms before the next try, given how many attempts have been made so far (≥ 1). */
export type Backoff = (attempts: number) => number;

export interface ExponentialBackoff {
  /** delay after the first failed attempt */
  baseMs: number;
  /** no delay is ever longer than this */
  capMs: number;
}

export const DEFAULT_BACKOFF: ExponentialBackoff = { baseMs: 5_000, capMs: 3_600_000 };

/** base × 2^(attempts−1), capped: 5 s, 10 s, 20 s, … 1 h, 1 h, … */
export function exponentialBackoffMs(attempts: number, policy: ExponentialBackoff = DEFAULT_BACKOFF): number {
  const { baseMs, capMs } = policy;
  if (!Number.isSafeInteger(baseMs) || baseMs <= 0 || !Number.isSafeInteger(capMs) || capMs < baseMs) {
    throw new RangeError(`invalid backoff policy: base ${baseMs} ms, cap ${capMs} ms`);
  }
  // attempts below 1 (never retried yet) are treated as the first attempt
  const exponent = Math.max(0, Math.floor(Number.isFinite(attempts) ? attempts : 1) - 1);
  // 2^exponent overflows to Infinity for huge exponents; min() still yields the cap
  return Math.min(capMs, baseMs * 2 ** Math.min(exponent, 1024));
}

export function exponentialBackoff(policy: ExponentialBackoff = DEFAULT_BACKOFF): Backoff {
  exponentialBackoffMs(1, policy); // validate once, up front
  return (attempts) => exponentialBackoffMs(attempts, policy);
}

/** A fixed schedule (e.g. webhook retries 15 s, 15 s, 30 s, 3 min…); the last step repeats. */
export function scheduleBackoff(delaysMs: readonly number[]): Backoff {
  if (delaysMs.length === 0 || delaysMs.some((d) => !Number.isSafeInteger(d) || d <= 0)) {
    throw new RangeError('a backoff schedule needs at least one positive integer delay');
  }
  const steps = [...delaysMs];
  return (attempts) => {
    const index = Math.min(steps.length - 1, Math.max(0, Math.floor(attempts) - 1));
    return steps[index] ?? steps[steps.length - 1]!;
  };
}

export const defaultBackoff: Backoff = exponentialBackoff();
