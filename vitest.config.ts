// Test projects, one per runtime: pure/Node unit tests, tests inside workerd
// (the edge tier), and end-to-end tests that start the real stack.
import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/setup/sequencer.ts';

export default defineConfig({
  test: {
    // Two files at a time, longest first. The end-to-end files run one at a time after the
    // unit and workerd projects (a project without file parallelism waits for the others):
    // beside them, on 2 cores, timing-sensitive stack tests and engine soaks starved.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/core/**/*.test.ts', 'src/synth/**/*.test.ts', 'src/cli/**/*.test.ts', 'src/web/**/*.test.ts', 'scripts/**/*.test.ts'],
          // Deadlines, not speed checks: tests that start engine processes wait longer on a loaded 2-core machine.
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // espeak-ng and flite from Debian for the bring-your-own-engine example.
          globalSetup: ['test/setup/unit-global.ts'],
        },
      },
      './src/edge/vitest.config.ts',
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // The stack tests start real processes on 2 cores: one file at a time.
          fileParallelism: false,
          // Chromium for the browser test: found or installed, never by hand; the page built
          // once; and the shared stack the default-settings files use (test/setup/shared-stack.ts).
          globalSetup: ['test/setup/e2e-global.ts'],
        },
      },
    ],
  },
});
