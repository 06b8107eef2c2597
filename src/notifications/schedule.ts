/**
 * The webhook retry schedule of CONTRACT §2, pure. The first attempt runs at once; after the n-th
 * failed attempt of a round the next one waits RETRY_DELAYS_MS[n]; after the 16th the round ends
 * and the event is marked failed (resendable). The delays add up to a little over 24 h.
 */

const S = 1_000;
const M = 60 * S;
const H = 60 * M;

/** delay before attempt 1, 2, … 16 of a round, each counted from the previous attempt */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  0,
  15 * S,
  15 * S,
  30 * S,
  3 * M,
  10 * M,
  20 * M,
  30 * M,
  30 * M,
  30 * M,
  60 * M,
  3 * H,
  3 * H,
  3 * H,
  6 * H,
  6 * H,
]);

export const MAX_ATTEMPTS_PER_ROUND = RETRY_DELAYS_MS.length;

/**
 * Delay before the next attempt after `attemptsMade` failed attempts in this round, or null when
 * the schedule is over and the event is failed.
 */
export function nextRetryDelayMs(attemptsMade: number): number | null {
  if (!Number.isSafeInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade must be a positive integer, got ${attemptsMade}`);
  }
  return attemptsMade < RETRY_DELAYS_MS.length ? RETRY_DELAYS_MS[attemptsMade]! : null;
}

/** Offsets from the start of a round at which each attempt is due (0, 15 s, 30 s, 60 s, …). */
export function attemptOffsetsMs(): number[] {
  let at = 0;
  return RETRY_DELAYS_MS.map((delay) => (at += delay));
}
