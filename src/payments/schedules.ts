/**
 * Timing rules of payments, pure. Polling catches a lost notification: a paying order is queried
 * often at first (most customers pay within a minute), then less often until it expires.
 */

const SECOND = 1000;

/** Delay before poll number `n` (1-based) of a paying order. */
export function pollDelayMs(n: number): number {
  const early = [5, 5, 10, 10, 15, 30, 30, 60];
  return (early[n - 1] ?? 120) * SECOND;
}

/** Payment codes (B scans C): query every 5 s while the customer types the password, up to 30 s. */
export const MICROPAY_POLL_MS = 5 * SECOND;
/** also when the settle job reverses: past WeChat's rule that a reverse waits 15 s after the attempt */
export const MICROPAY_DEADLINE_MS = 30 * SECOND;

/** Refund queries: the channel usually settles a refund within minutes. */
export function refundQueryDelayMs(attempt: number): number {
  const delays = [10, 30, 60, 120, 300, 600];
  return (delays[attempt - 1] ?? 1800) * SECOND;
}
