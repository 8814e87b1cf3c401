// Builds the web page into dist/web (served as the orchestrator's static
// assets): copies static files and bundles the TypeScript with esbuild. Only
// files whose bytes change are written: `wrangler dev` reloads its Workers (and
// cuts their streams) on any write under the assets folder, and the tests
// rebuild the page while other stacks run.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src/web');
const OUT = join(ROOT, 'dist/web');

export async function buildWeb(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(SRC)) {
    if (/\.(html|css|svg|ico|png|txt|webmanifest)$/.test(f)) writeIfChanged(join(OUT, f), readFileSync(join(SRC, f)));
  }
  const out = await build({
    entryPoints: [join(SRC, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outfile: join(OUT, 'app.js'),
    sourcemap: true,
    minify: true,
    logLevel: 'warning',
    write: false,
  });
  for (const file of out.outputFiles) writeIfChanged(file.path, file.contents);
}

function writeIfChanged(path: string, bytes: Uint8Array): void {
  if (existsSync(path) && Buffer.from(bytes).equals(readFileSync(path))) return;
  writeFileSync(path, bytes);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb();
  console.log(`web page built into ${OUT}`);
}
