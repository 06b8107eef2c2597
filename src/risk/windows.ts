/** Velocity windows: the dimensions, window spellings and retention. Pure. */

export const DIMENSIONS = ['payer', 'customer', 'ip', 'device'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The longest window a rule may use; attempts are kept this long (plus a minute of clock skew). */
export const MAX_WINDOW_MS = UNIT_MS.d;
export const KEEP_MS = MAX_WINDOW_MS + UNIT_MS.m;

/** "60s", "15m", "1h", "24h", "1d" → ms; undefined when malformed or longer than 24 h. */
export function parseWindow(text: string): number | undefined {
  const match = /^([1-9]\d{0,5})([smhd])$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms <= MAX_WINDOW_MS ? ms : undefined;
}

/** What the stream consumer counts besides attempts (outcome-counters.ts). */
export const OUTCOME_KINDS = ['succeeded', 'refunded'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

export function isOutcomeKind(text: unknown): text is OutcomeKind {
  return (OUTCOME_KINDS as readonly unknown[]).includes(text);
}

export function isDimension(text: string): text is Dimension {
  return (DIMENSIONS as readonly string[]).includes(text);
}

/** The cache key of one dimension value's attempts in a scene. */
export function attemptsKey(scene: string, dimension: Dimension, value: string): string {
  return `risk:w:${scene}:${dimension}:${value}`;
}

/** The cache key of the distinct values of `counted` seen with one dimension value in a scene. */
export function distinctKey(scene: string, dimension: Dimension, value: string, counted: Dimension): string {
  return `risk:d:${scene}:${dimension}:${value}:${counted}`;
}

/** distinct() buckets: a twelfth of the window (at least a second), so its edge is that coarse. */
export function distinctBucketMs(windowMs: number): number {
  return Math.max(1_000, Math.ceil(windowMs / 12));
}

/** The cache key of one dimension value's outcomes of a kind (scene-independent). */
export function outcomesKey(kind: OutcomeKind, dimension: Dimension, value: string): string {
  return `risk:o:${kind}:${dimension}:${value}`;
}
