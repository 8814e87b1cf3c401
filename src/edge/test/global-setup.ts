// Runs in Node before the workerd tests: starts the real synthesis service
// behind a fault-injecting proxy, and bundles the backend Worker so the test
// pool can run it as an auxiliary Worker.
import { build } from 'esbuild';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ManagedProcess } from '../../../scripts/stack/process.ts';
import { REPO_ROOT } from '../../../scripts/stack/stack.ts';
import { startFaultProxy } from '../../../test/support/fault-proxy.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    synthUrl: string;
    faultProxyUrl: string;
  }
}

export const BACKEND_BUNDLE = join(REPO_ROOT, 'dist/test/backend.mjs');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await build({
    entryPoints: [join(REPO_ROOT, 'src/edge/backend/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile: BACKEND_BUNDLE,
    external: ['cloudflare:*'],
    logLevel: 'warning',
  });
  const synth = new ManagedProcess({
    name: 'synth',
    command: process.execPath,
    args: [join(REPO_ROOT, 'src/synth/main.ts'), '--port', '0'],
    cwd: REPO_ROOT,
  });
  const m = await synth.waitForLine(/listening on (http:\/\/[\d.]+:\d+)/, 60_000);
  const proxy = await startFaultProxy(m[1]!);
  project.provide('synthUrl', m[1]!);
  project.provide('faultProxyUrl', proxy.url);
  return async () => {
    await proxy.close();
    await synth.stop();
  };
}
