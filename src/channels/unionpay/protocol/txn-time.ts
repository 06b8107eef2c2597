import type { Clock } from '../../../core/clock.js';

/** ACP times are Beijing time (GMT+8, no DST): txnTime yyyyMMddHHmmss, traceTime MMddHHmmss, settleDate MMdd. */

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

function beijingParts(at: Date) {
  const d = new Date(at.getTime() + BEIJING_OFFSET_MS);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return {
    yyyy: p(d.getUTCFullYear(), 4),
    MM: p(d.getUTCMonth() + 1),
    dd: p(d.getUTCDate()),
    HH: p(d.getUTCHours()),
    mm: p(d.getUTCMinutes()),
    ss: p(d.getUTCSeconds()),
  };
}

export function formatTxnTime(at: Date): string {
  const t = beijingParts(at);
  return `${t.yyyy}${t.MM}${t.dd}${t.HH}${t.mm}${t.ss}`;
}

export function txnTimeNow(clock: Clock): string {
  return formatTxnTime(clock.now());
}

/** The instant a txnTime names, or undefined when it is not a real Beijing date-time. */
export function parseTxnTime(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - BEIJING_OFFSET_MS);
  return formatTxnTime(at) === text ? at : undefined; // rejects 20260230…, 25:00 and the like
}

export function traceTimeOf(at: Date): string {
  return formatTxnTime(at).slice(4);
}

export function settleDateOf(at: Date): string {
  return formatTxnTime(at).slice(4, 8);
}

/** yyyyMMdd of the Beijing calendar day. */
export function beijingDay(at: Date): string {
  return formatTxnTime(at).slice(0, 8);
}
