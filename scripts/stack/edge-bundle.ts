// Bundles a Worker's entry module into one ES module for workerd, with
// esbuild's JS API and the options `wrangler dev` uses (Workers conditions,
// es2024, names kept: the bench's profiler attributes CPU by function name).
// One build per start: the caller stops esbuild's Go service afterwards.
import { build } from 'esbuild';
import { join } from 'node:path';

/** Writes `<outDir>/index.js` (and its source map) for `main`; answers the bundle's path. */
export async function bundleWorker(main: string, outDir: string): Promise<string> {
  const outfile = join(outDir, 'index.js');
  await build({
    entryPoints: [main],
    bundle: true,
    outfile,
    format: 'esm',
    target: 'es2024',
    supported: { 'import-source': true, using: true },
    conditions: ['workerd', 'worker', 'browser'],
    // `cloudflare:workers` and friends are workerd's own modules.
    external: ['cloudflare:*'],
    keepNames: true,
    minify: false,
    sourcemap: true,
    define: {
      'process.env.NODE_ENV': '"development"',
      'global.process.env.NODE_ENV': '"development"',
      'globalThis.process.env.NODE_ENV': '"development"',
      'navigator.userAgent': '"Cloudflare-Workers"',
    },
    loader: { '.js': 'jsx', '.mjs': 'jsx', '.cjs': 'jsx' },
    logLevel: 'warning',
  });
  return outfile;
}
