// Tests that run inside workerd (the real Workers runtime) with the real
// Durable Object SQLite storage and R2 of the local runtime.
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { join } from 'node:path';
import { defineProject } from 'vitest/config';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';
import { BACKEND_BUNDLE } from './test/global-setup.ts';

export default defineProject({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: join(import.meta.dirname, 'orchestrator/wrangler.jsonc') },
      miniflare: {
        // 40 chunks per alarm (the default is 4, for CPU per invocation): the 5,000-chunk test needs 125 alarms, not 1,250.
        bindings: { JOB_TTL_SECONDS: '3600', JOB_MAX_CHUNKS_PER_ALARM: '40' },
        workers: [
          {
            name: 'lector-backend',
            modules: true,
            scriptPath: BACKEND_BUNDLE,
            modulesRoot: REPO_ROOT,
            compatibilityDate: '2026-11-01',
            bindings: { SYNTH_URL: inject('faultProxyUrl') },
            r2Buckets: { TTS_AUDIO_BUCKET: 'lector-audio' },
          },
        ],
      },
    })),
  ],
  test: {
    name: 'edge',
    include: [join(import.meta.dirname, '**/*.test.ts')],
    globalSetup: [join(import.meta.dirname, 'test/global-setup.ts')],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
