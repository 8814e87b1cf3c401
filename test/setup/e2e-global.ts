// Runs once before the end-to-end tests: finds or installs the Chromium the
// browser test drives (scripts/system-deps.ts says what it did). A machine
// where none can be had fails only the browser test, with the reason.
import type { TestProject } from 'vitest/node';
import { ensureChromium } from '../../scripts/system-deps.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the Chromium to launch, or `error: <why there is none>`. */
    chromium: { path: string } | { error: string };
  }
}

export default async function setup(project: TestProject): Promise<void> {
  try {
    const { path } = await ensureChromium();
    project.provide('chromium', { path });
  } catch (e) {
    project.provide('chromium', { error: e instanceof Error ? e.message : String(e) });
  }
}
