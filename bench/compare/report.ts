// One row of a benchmark table: the figure, its value and, where the issue
// sets one, the goal with whether this run met it.

export interface BenchRow {
  figure: string;
  value: string;
  /** The goal, e.g. `≥ 0.90`, when there is one. */
  goal?: string;
  /** Whether this run met the goal. */
  met?: boolean;
}

/** `goal` plus ` (met)` / ` (MISSED)`, or empty. */
export function goalCell(row: BenchRow): string {
  if (!row.goal) return '';
  return row.met === undefined ? row.goal : `${row.goal} ${row.met ? '(met)' : '(MISSED)'}`;
}

/** Prints rows as aligned plain-text columns. */
export function printRows(rows: readonly BenchRow[]): void {
  const w = Math.max(...rows.map((r) => r.figure.length));
  // Long values (lists) overflow their column instead of widening it for every row.
  const v = Math.max(...rows.map((r) => (r.value.length <= 40 ? r.value.length : 0)));
  for (const r of rows) console.log(`${r.figure.padEnd(w)}  ${r.value.padStart(v)}  ${goalCell(r)}`.trimEnd());
}

/** The same rows as a Markdown table (for docs/benchmarks.md and the README). */
export function markdownRows(rows: readonly BenchRow[]): string {
  const lines = ['| figure | value | goal |', '| --- | ---: | --- |'];
  for (const r of rows) lines.push(`| ${r.figure} | ${r.value} | ${goalCell(r)} |`);
  return lines.join('\n');
}
