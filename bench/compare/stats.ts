// Small statistics and formatting helpers shared by the benchmark sections.

/** The p-th percentile (nearest rank) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** `n` with `digits` decimals, or `n/a` for NaN. */
export function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** Milliseconds as `123 ms` below 10 s, else `12.3 s`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The 1-minute load average: other work on the machine skews every figure, so each section prints it. */
export { loadavg } from 'node:os';
