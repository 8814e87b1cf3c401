// The environment the stack gives its Node processes: the compile cache lives in the
// repository (never a shared temp folder), and a cache chosen by the user is kept.
import { describe, expect, it } from 'vitest';
import { builtinTemplate } from './config.ts';
import { compileCacheEnv, NODE_MALLOC_ENV } from './node-flags.ts';

describe('compileCacheEnv', () => {
  it("puts Node's compile cache under the repository's node_modules/.cache", () => {
    expect(compileCacheEnv('/srv/lector', {})).toEqual({ NODE_COMPILE_CACHE: '/srv/lector/node_modules/.cache/lector-node-compile-cache' });
  });

  it('keeps a NODE_COMPILE_CACHE from the environment', () => {
    expect(compileCacheEnv('/srv/lector', { NODE_COMPILE_CACHE: '/var/cache/node' })).toEqual({ NODE_COMPILE_CACHE: '/var/cache/node' });
  });
});

describe('the built-in worker template', () => {
  it("runs engine workers with the stack's malloc settings, however the service was started", () => {
    // One malloc arena: V8's compile threads otherwise keep ~35 MiB of their own arenas per worker.
    expect(builtinTemplate(['espeak']).env).toMatchObject({ MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(NODE_MALLOC_ENV.MALLOC_ARENA_MAX).toBe('1');
  });
});
