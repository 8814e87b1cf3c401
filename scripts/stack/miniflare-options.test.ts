// The Miniflare edge runner's config translation agrees with wrangler's own
// (unstable_getMiniflareWorkerOptions) on every key it sets, for the committed
// configs as the stack writes them per run (vars, secrets, bench Tail Worker).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { workerSpecFromConfig } from './miniflare-options.ts';
import { writeRunConfigs } from './stack.ts';

describe('workerSpecFromConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lector-mf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const configs = writeRunConfigs(
    dir,
    { LECTOR_API_KEYS: 'alice=k1', CORS_ORIGINS: '*' },
    { SYNTH_URL: 'http://127.0.0.1:5999', SYNTH_TOKEN: 'tok=with#signs', PROVIDERS: '{"default":"local"}' },
    'http://127.0.0.1:1/collect',
  );

  for (const which of ['orchestrator', 'backend', 'tail'] as const) {
    it(`matches wrangler for the ${which}`, () => {
      const path = configs[which]!;
      const ours = workerSpecFromConfig(path);
      const theirs = unstable_getMiniflareWorkerOptions(path);
      expect(ours.main).toBe(theirs.main);
      const w = theirs.workerOptions as Record<string, unknown>;
      for (const [key, value] of Object.entries(ours.options)) expect({ key, value }).toEqual({ key, value: w[key] });
      // Nothing wrangler binds is left out.
      for (const key of ['kvNamespaces', 'd1Databases', 'queueProducers', 'workflows', 'additionalUnboundDurableObjects']) {
        const v = w[key];
        expect(Array.isArray(v) ? v.length : Object.keys(v as object).length, key).toBe(0);
      }
    });
  }

  it('carries the secrets of .dev.vars and the bindings the Workers use', () => {
    const orch = workerSpecFromConfig(configs.orchestrator).options;
    expect(orch.bindings).toMatchObject({ LECTOR_API_KEYS: 'alice=k1', CORS_ORIGINS: '*' });
    expect(orch.durableObjects).toMatchObject({ TTS_JOB_DO: { className: 'TtsJobDurableObject', useSQLite: true } });
    expect(orch.serviceBindings).toEqual({ BACKEND: { name: 'lector-backend', entrypoint: 'BackendEntrypoint' } });
    expect(orch.tails).toEqual([{ name: 'lector-bench-tail' }]);
    const back = workerSpecFromConfig(configs.backend).options;
    expect(back.bindings).toMatchObject({ SYNTH_TOKEN: 'tok=with#signs', SYNTH_URL: 'http://127.0.0.1:5999' });
  });
});
