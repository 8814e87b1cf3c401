// Orders the files of every project for the run's two workers: longest first,
// so the long files (the chaos suite, the 5,000-chunk job, the browser tests)
// start at once and the short ones fill in at the end instead of leaving one
// worker idle behind a long file. A file's expected duration is vitest's record
// of its last run when there is one (node_modules/.vite), else the figure
// measured on a fresh clone below, else a guess from its size.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds per file, measured one project at a time on this 2-core machine at load ~15-20
 * (docs/testing.md): only their order matters. Files not listed are short.
 */
const MEASURED_S: Record<string, number> = {
  'edge:src/edge/orchestrator/job/long-job.test.ts': 460,
  'e2e:test/e2e/chaos.test.ts': 236,
  'e2e:test/e2e/openai.test.ts': 140,
  'e2e:test/e2e/webhooks.test.ts': 93,
  'e2e:test/e2e/player.test.ts': 91,
  'e2e:test/e2e/load.test.ts': 88,
  'e2e:test/e2e/chaos-r2.test.ts': 81,
  'e2e:test/e2e/security.test.ts': 76,
  'e2e:test/e2e/web.test.ts': 74,
  'e2e:test/e2e/providers.test.ts': 70,
  'e2e:test/e2e/start.test.ts': 63,
  'edge:src/edge/orchestrator/assembly/AudiobookAssembler.test.ts': 59,
  'e2e:test/e2e/openai-voices.test.ts': 58,
  'e2e:test/e2e/neural-voices.test.ts': 43,
  'e2e:test/e2e/web-book.test.ts': 40,
  'e2e:test/e2e/audiobook.test.ts': 33,
};

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
