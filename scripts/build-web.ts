// Builds the web page into dist/web (served as the orchestrator's static
// assets): copies static files and bundles the TypeScript with esbuild.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src/web');
const OUT = join(ROOT, 'dist/web');

export async function buildWeb(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(SRC)) {
    if (/\.(html|css|svg|ico|png|txt|webmanifest)$/.test(f)) cpSync(join(SRC, f), join(OUT, f));
  }
  await build({
    entryPoints: [join(SRC, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outfile: join(OUT, 'app.js'),
    sourcemap: true,
    minify: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb();
  console.log(`web page built into ${OUT}`);
}
