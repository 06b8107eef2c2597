/** Small statistics and table helpers shared by the benchmarks. */

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile; NaN for an empty list so a missing figure never looks like zero. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

export function fmtMs(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(n < 10 ? 2 : 1)} ms` : 'n/a';
}

/** autocannon records latency in whole milliseconds, so 0 means under one. */
export function fmtWholeMs(n: number): string {
  return Number.isFinite(n) ? (n < 1 ? '<1 ms' : `${Math.round(n)} ms`) : 'n/a';
}

export function fmtRatio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(3) : 'n/a';
}

export function fmtPct(n: number): string {
  return Number.isFinite(n) ? `${Math.round(n * 100)}%` : 'n/a';
}

/** Prints rows as a left-aligned text table with a header rule. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** Above this, something outside the benchmark took a real share of the CPU during the rounds. */
export const NOISY_OTHER_CPU = 0.25;

export function noisyMachineNote(otherCpu: number[]): string | undefined {
  const m = median(otherCpu);
  if (!(m >= NOISY_OTHER_CPU)) return undefined;
  return `note: other processes used a median ${fmtPct(m)} of a core during the rounds (shared machine): absolute figures are depressed, same-run ratios less so`;
}
