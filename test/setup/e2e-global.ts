// Runs once before the end-to-end tests: finds or installs the Chromium the
// browser test drives (scripts/system-deps.ts says what it did). A machine
// where none can be had fails only the browser test, with the reason. Also
// gives the stacks' engine workers longer to start: on a 2-core machine shared
// by many test runs (load average near 30) a worker can take over the
// service's default 30 s to answer its handshake. Builds the page once, and
// serves the shared stack (test/setup/shared-stack.ts) to the files that use it.
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildWeb } from '../../scripts/build-web.ts';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';
import { ensureChromium } from '../../scripts/system-deps.ts';
import { startSharedStackControl } from './shared-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the Chromium to launch, or `error: <why there is none>`. */
    chromium: { path: string } | { error: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Read by every synthesis service the stacks start (src/synth/main.ts; a --config flag wins).
  process.env.LECTOR_SYNTH_CONFIG ??= join(REPO_ROOT, 'test/fixtures/synth/loaded-machine.json');
  try {
    const { path } = await ensureChromium();
    project.provide('chromium', { path });
  } catch (e) {
    project.provide('chromium', { error: e instanceof Error ? e.message : String(e) });
  }
  // The page as it is in src/web now, before any stack serves it (later rebuilds write nothing unless it changed).
  await buildWeb();
  const control = await startSharedStackControl();
  project.provide('sharedStackControl', control.url);
  return () => control.close();
}
