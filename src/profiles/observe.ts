import type { FieldValue, ProfileEvent } from './events.js';
import type { TagDefinition, TagSource, TagWindow, ValueRule } from './tag-definition.js';

/** One unit of evidence: `weight` on `value` in time bucket `bucket`. */
export interface Observation {
  readonly value: string;
  readonly bucket: number;
  readonly weight: 1 | -1;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Day buckets follow the China calendar day (UTC+8), the day merchants and payers live in. */
const BUCKET_DAY_OFFSET_MS = 8 * HOUR_MS;
/** An all-time tag needs no time resolution: one bucket. */
export const ALL_TIME_BUCKET = 0;

/** The day number (China time) of an instant: the bucket of rolling windows. */
export function dayBucket(atMs: number): number {
  return Math.floor((atMs + BUCKET_DAY_OFFSET_MS) / DAY_MS);
}

export function bucketOf(window: TagWindow, atMs: number): number {
  return window.kind === 'all_time' ? ALL_TIME_BUCKET : dayBucket(atMs);
}

/** Does a source's type (exact, or `prefix.*`) match an event type? */
export function sourceMatches(source: TagSource, eventType: string): boolean {
  if (source.type.endsWith('.*')) return eventType.startsWith(source.type.slice(0, -1));
  return source.type === eventType;
}

function asText(raw: FieldValue): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : null;
  if (typeof raw === 'boolean') return raw ? 'true' : 'false';
  return raw === '' ? null : raw;
}

function asNumber(raw: FieldValue): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string' && raw.trim() !== '') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A time field may hold ms since the epoch or an ISO timestamp. */
function asInstant(raw: FieldValue): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string' && raw !== '') {
    const ms = Date.parse(raw);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** Values longer than this are not evidence of anything a profile should keep. */
export const MAX_VALUE_LENGTH = 128;

/** The tag value an event's field maps to, or null when it is no evidence. */
export function valueOf(rule: ValueRule, raw: FieldValue, atMs: number): string | null {
  switch (rule.kind) {
    case 'identity': {
      const text = asText(raw);
      return text !== null && text.length <= MAX_VALUE_LENGTH ? text : null;
    }
    case 'map': {
      const text = asText(raw);
      if (text === null) return null;
      return Object.hasOwn(rule.map, text) ? (rule.map[text] ?? null) : rule.otherwise;
    }
    case 'bins': {
      const x = asNumber(raw);
      if (x === null) return null;
      let i = 0;
      while (i < rule.cuts.length && x >= (rule.cuts[i] ?? Infinity)) i++;
      return rule.labels[i] ?? null;
    }
    case 'day_part': {
      const local = atMs + rule.utc_offset_minutes * 60_000;
      const hour = Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
      let label: string | null = null;
      for (const part of rule.parts) if (hour >= part.from_hour) label = part.label;
      return label;
    }
  }
}

/** The observation one source of a tag draws from an event, or null. The type is assumed to match. */
export function observe(def: TagDefinition, source: TagSource, event: ProfileEvent): Observation | null {
  if (source.when && event.fields[source.when.field] !== source.when.equals) return null;
  const at = source.time_field !== undefined ? asInstant(event.fields[source.time_field]) : event.at;
  if (at === null) return null;
  const raw = source.field !== undefined ? event.fields[source.field] : null;
  const value = valueOf(def.value, raw, at);
  if (value === null) return null;
  return { value, bucket: bucketOf(def.window, at), weight: source.weight };
}
