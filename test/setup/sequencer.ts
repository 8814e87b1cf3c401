// Orders the files of every project for the run's two workers: longest first,
// so the long files (the chaos suite, the 5,000-chunk job, the browser tests)
// start at once and the short ones fill in at the end instead of leaving one
// worker idle behind a long file. A file's expected duration is vitest's record
// of its last run when there is one (node_modules/.vite), else the figure
// measured on a fresh clone below, else a guess from its size.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds per file on a fresh clone at load ~2 (docs/testing.md); files not listed are short. */
const MEASURED_S: Record<string, number> = {};

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const expected = new Map(files.map((f) => [f, this.expectedSeconds(f)]));
    return [...files].sort((a, b) => expected.get(b)! - expected.get(a)!);
  }

  private expectedSeconds(spec: TestSpecification): number {
    const key = `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
    const cached = this.ctx.cache.getFileTestResults(key);
    if (cached && cached.duration > 0) return cached.duration / 1000;
    const measured = MEASURED_S[key];
    if (measured !== undefined) return measured;
    // About a second per 2 KB of test source.
    return (this.ctx.cache.getFileStats(key)?.size ?? 0) / 2000;
  }
}
