/**
 * A JSON value as a jsonb column gives it back: PostgreSQL keeps an object's keys sorted, shorter
 * keys first, then bytewise (jsonb does not keep the written order). For a caller that must know
 * the stored form before reading it back (an event body built before the row's UPDATE runs).
 */
export function asStoredJsonb<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => asStoredJsonb(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => [Buffer.from(k, 'utf8'), k, asStoredJsonb(v)] as const,
  );
  entries.sort(([a], [b]) => a.length - b.length || Buffer.compare(a, b));
  return Object.fromEntries(entries.map(([, k, v]) => [k, v])) as T;
}
