import { parseIp, parseRange, rangeContains, type IpRange } from './ip.js';
import type { ListName, SubjectType } from './tables.js';

/**
 * Block / allow / review lists, matched in memory. Pure: the engine builds an index from the
 * entries it holds and asks it per decision.
 *
 * Precedence: block beats allow beats review. A subject on the block list is refused even if
 * another of its subjects (or the same one) is on the allow list; an allowed subject skips the
 * review list; the review list only flags.
 */

export interface ListEntry {
  id: string;
  list: ListName;
  type: SubjectType;
  value: string;
  reason: string | null;
  /** epoch ms; null = never */
  expiresAt: number | null;
  source: string;
}

/** The subjects of one decision, in their list form (payer `<channel>:<id>`, customer `<mch>:<id>`). */
export type Subjects = Partial<Record<SubjectType, string>>;

export const LIST_PRECEDENCE: readonly ListName[] = ['block', 'allow', 'review'];

export interface ListHit {
  list: ListName;
  entry: ListEntry;
}

export class ListIndex {
  private readonly exact = new Map<string, ListEntry[]>();
  private readonly ranges: Array<{ range: IpRange; entry: ListEntry }> = [];

  constructor(entries: Iterable<ListEntry>) {
    for (const entry of entries) {
      const range = entry.type === 'ip' && entry.value.includes('/') ? parseRange(entry.value) : undefined;
      if (range && range.bits < (range.version === 4 ? 32 : 128)) {
        this.ranges.push({ range, entry });
        continue;
      }
      const key = `${entry.type}:${entry.type === 'ip' ? normaliseIp(entry.value) : entry.value}`;
      const bucket = this.exact.get(key);
      if (bucket) bucket.push(entry);
      else this.exact.set(key, [entry]);
    }
  }

  /** Every live entry that matches one of the subjects. */
  matches(subjects: Subjects, nowMs: number): ListEntry[] {
    const found: ListEntry[] = [];
    const live = (e: ListEntry) => e.expiresAt === null || e.expiresAt > nowMs;
    for (const [type, value] of Object.entries(subjects) as Array<[SubjectType, string | undefined]>) {
      if (!value) continue;
      const key = `${type}:${type === 'ip' ? normaliseIp(value) : value}`;
      for (const e of this.exact.get(key) ?? []) if (live(e)) found.push(e);
    }
    const ip = subjects.ip ? parseIp(subjects.ip) : undefined;
    if (ip)
      for (const { range, entry } of this.ranges)
        if (live(entry) && rangeContains(range, ip)) found.push(entry);
    return found;
  }

  /** The entry that decides, by precedence; undefined when no list holds any subject. */
  verdict(subjects: Subjects, nowMs: number): ListHit | undefined {
    const found = this.matches(subjects, nowMs);
    for (const list of LIST_PRECEDENCE) {
      const entry = found.find((e) => e.list === list);
      if (entry) return { list, entry };
    }
    return undefined;
  }
}

/** One spelling per address (IPv6 case and zero runs, IPv4-mapped) so exact entries match. */
export function normaliseIp(text: string): string {
  const ip = parseIp(text.split('/')[0] ?? text);
  if (!ip) return text;
  return `${ip.version}:${ip.value.toString(16)}`;
}

/** A list value is well formed for its type; returns the problem, or undefined. */
export function checkListValue(type: SubjectType, value: string): string | undefined {
  if (type === 'ip') return parseRange(value) ? undefined : 'value must be an IP address or CIDR range';
  if (type === 'payer' && !/^[a-z]+:.+$/.test(value)) return 'a payer is <channel>:<payer id>';
  if (type === 'customer' && !/^mch_[0-9a-z]+:.+$/.test(value))
    return 'a customer is <merchant_id>:<customer_id>';
  if (type === 'merchant' && !/^mch_[0-9a-z]+$/.test(value)) return 'a merchant is its mch_… id';
  return undefined;
}
