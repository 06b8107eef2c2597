import { NOTIFY_RETRY_DELAYS_MS as WECHAT_RETRY_DELAYS_MS } from '../channels/wechatpay/protocol/notification.js';

/**
 * The webhook retry schedule of CONTRACT §2, pure. The first attempt runs at once; after the n-th
 * failed attempt of a round the next one waits RETRY_DELAYS_MS[n]; after the 16th the round ends
 * and the event is marked failed (resendable). The delays add up to a little over 24 h.
 */

/**
 * Delay before attempt 1, 2, … 16 of a round, each counted from the previous attempt: CONTRACT §2
 * adopts WeChat Pay's notification schedule (15 s … 6 h), after a first attempt at once. The
 * contract's figures are pinned by test/unit/webhooks-pure.test.ts, so a change to the channel's
 * table cannot move them unnoticed.
 */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([0, ...WECHAT_RETRY_DELAYS_MS]);

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
