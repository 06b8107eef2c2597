/** Run-length knobs. Defaults are the quoted configuration; env overrides are for quick trials. */

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

export const ROUNDS = Math.round(positive('BENCH_ROUNDS', 3));
export const SECONDS = positive('BENCH_SECONDS', 5);
export const WARMUP_SECONDS = positive('BENCH_WARMUP_SECONDS', 1);

/** Non-default settings make figures incomparable with quoted ones; say so in the output. */
export function describeRun(): string {
  const custom = ['BENCH_ROUNDS', 'BENCH_SECONDS', 'BENCH_WARMUP_SECONDS'].some((k) => process.env[k]);
  return `${ROUNDS} rounds x ${SECONDS} s (+${WARMUP_SECONDS} s warmup)${custom ? ' [NON-DEFAULT, do not quote]' : ''}`;
}
