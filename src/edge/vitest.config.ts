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
        bindings: { JOB_TTL_SECONDS: '3600' },
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
