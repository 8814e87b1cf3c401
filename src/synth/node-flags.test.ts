// The environment the stack gives its Node processes: the compile cache lives in the
// repository (never a shared temp folder), and a cache chosen by the user is kept.
import { describe, expect, it } from 'vitest';
import { compileCacheEnv } from './node-flags.ts';

describe('compileCacheEnv', () => {
  it("puts Node's compile cache under the repository's node_modules/.cache", () => {
    expect(compileCacheEnv('/srv/lector', {})).toEqual({ NODE_COMPILE_CACHE: '/srv/lector/node_modules/.cache/lector-node-compile-cache' });
  });

  it('keeps a NODE_COMPILE_CACHE from the environment', () => {
    expect(compileCacheEnv('/srv/lector', { NODE_COMPILE_CACHE: '/var/cache/node' })).toEqual({ NODE_COMPILE_CACHE: '/var/cache/node' });
  });
});
