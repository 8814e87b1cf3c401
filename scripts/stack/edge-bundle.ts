// Bundles a Worker's entry module into one ES module for workerd, with
// esbuild's JS API and the options `wrangler dev` uses (Workers conditions,
// es2024, names kept: the bench's profiler attributes CPU by function name),
// whitespace and syntax minified.
// One build per start: the caller stops esbuild's Go service afterwards.
import { build } from 'esbuild';
import { basename, dirname, join } from 'node:path';

/**
 * The entry the bundle starts from: the Worker's own module, every export kept,
 * its default handler's `fetch` wrapped to read the rest of a request body it
 * left unread (wrangler dev injects the same "ensure-req-body-drained"
 * middleware). Without it workerd answers early (a 413 for a body over the
 * limit) and closes the connection while the client is still sending, so the
 * client gets EPIPE instead of the answer. Cloudflare's edge does this itself.
 */
function facade(main: string): string {
  const spec = JSON.stringify(`./${basename(main)}`);
  return `import worker from ${spec};
export * from ${spec};
async function drain(request) {
  try {
    if (request.body !== null && !request.bodyUsed) {
      const reader = request.body.getReader();
      while (!(await reader.read()).done) {}
    }
  } catch (e) {
    console.error('Failed to drain the unused request body.', e);
  }
}
export default worker && typeof worker.fetch === 'function'
  ? { ...worker, async fetch(request, env, ctx) { try { return await worker.fetch(request, env, ctx); } finally { await drain(request); } } }
  : worker;
`;
}

/** Writes `<outDir>/index.js` (and its source map) for `main`; answers the bundle's path. */
export async function bundleWorker(main: string, outDir: string): Promise<string> {
  const outfile = join(outDir, 'index.js');
  await build({
    stdin: { contents: facade(main), resolveDir: dirname(main), sourcefile: 'lector-dev-facade.js', loader: 'js' },
    bundle: true,
    outfile,
    format: 'esm',
    target: 'es2024',
    supported: { 'import-source': true, using: true },
    conditions: ['workerd', 'worker', 'browser'],
    // `cloudflare:workers` and friends are workerd's own modules.
    external: ['cloudflare:*'],
    keepNames: true,
    // Names stay (the profiler's attribution and stack traces read them); whitespace and syntax go:
    // Miniflare copies its whole config once per 4 KiB it adds after the bundles, so smaller bundles
    // leave less garbage behind in the runner's start-up (peak -15 MiB, docs/benchmarks.md, Session 6).
    minifyWhitespace: true,
    minifySyntax: true,
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
