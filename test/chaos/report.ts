// Figures of a chaos or load run: printed as small tables in the test output
// and written to test-results/<suite>.json (<suite>-full.json for a full run)
// for docs/chaos.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';

export type FigureValue = string | number | boolean | null | readonly (string | number)[] | Record<string, number> | readonly Record<string, string | number>[];
export type Figures = Record<string, FigureValue>;

export class RunReport {
  private readonly file: string;
  private readonly data: Record<string, Figures> = {};


  constructor(suite: string, meta: Figures & { full: boolean }) {
    this.file = join(REPO_ROOT, 'test-results', `${suite}${meta.full ? '-full' : ''}.json`);
    this.data.run = { ...meta, startedAt: new Date().toISOString() };
  }

  /** Records a scenario's figures, prints them, and rewrites the JSON file. */
  record(scenario: string, figures: Figures): void {
    this.data[scenario] = figures;
    console.log(`[${scenario}] ${JSON.stringify(figures)}`);
    mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
    writeFileSync(this.file, JSON.stringify(this.data, null, 2));
  }

}

/** A plain-text table: header row, then rows, columns padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export const seconds = (ms: number): number => Math.round(ms / 100) / 10;
