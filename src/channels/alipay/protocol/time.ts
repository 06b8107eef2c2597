import type { Clock } from '../../../core/clock.js';

/** Alipay speaks `yyyy-MM-dd HH:mm:ss` in China time (UTC+8, no DST), whatever the host's zone. */

const CHINA_OFFSET_MS = 8 * 3600_000;
const FORMAT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

export function alipayTime(at: Date): string {
  const iso = new Date(at.getTime() + CHINA_OFFSET_MS).toISOString(); // shifted so UTC fields read as China time
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

export function alipayNow(clock: Clock): string {
  return alipayTime(clock.now());
}

/** The China calendar date `yyyy-MM-dd` of an instant (bill days are China days). */
export function chinaDate(at: Date): string {
  return alipayTime(at).slice(0, 10);
}

/** undefined if the text is not a valid `yyyy-MM-dd HH:mm:ss` */
export function parseAlipayTime(text: string): Date | undefined {
  const m = FORMAT.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - CHINA_OFFSET_MS;
  const back = new Date(ms + CHINA_OFFSET_MS);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    return undefined;
  return new Date(ms);
}
