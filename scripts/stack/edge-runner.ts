// The Miniflare edge runner, run as its own Node process by the stack
// (`node scripts/stack/edge-runner.ts <spec.json>`): bundles each Worker once,
// then runs them all in one workerd through Miniflare's API, bound to
// 127.0.0.1, with Durable Object and R2 state under the persist folder.
// Unlike `wrangler dev` there is no file watcher, no esbuild service, no proxy
// workerd and no inspector session for console logs: Workers' console output
// comes from workerd's structured logs (docs/benchmarks.md, Edge runner).
import { stop as stopEsbuild } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare, type V4MiniflareOptions } from 'miniflare';
import { bundleWorker } from './edge-bundle.ts';
import type { EdgeRunSpec } from './miniflare-options.ts';

const specPath = process.argv[2];
if (!specPath) throw new Error('usage: edge-runner.ts <spec.json>');
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as EdgeRunSpec;

const t0 = performance.now();
const bundles: string[] = [];
try {
  for (const w of spec.workers) bundles.push(await bundleWorker(w.main, join(spec.buildDir, w.name)));
} finally {
  // No Go process stays behind: nothing rebuilds until the next start.
  await stopEsbuild();
}
console.log(`edge: bundled ${spec.workers.map((w) => w.name).join(', ')} in ${Math.round(performance.now() - t0)} ms`);

const options: V4MiniflareOptions = {
  host: spec.host,
  port: spec.port,
  inspectorPort: spec.inspectorPort,
  inspectorHost: '127.0.0.1',
  log: new Log(LogLevel.INFO),
  // Request lines cost a loopback call to this process per request; nothing reads them.
  logRequests: false,
  // No request.cf download from the network: Miniflare's built-in fallback object.
  cf: false,
  telemetry: { enabled: false },
  // wrangler dev's layout (<persist>/v3/do, /r2, ...): the two runners share local state.
  resourcePersistencePath: join(spec.persistDir, 'v3'),
  resourceTmpPath: join(spec.buildDir, 'tmp'),
  workers: spec.workers.map((w, i) => ({
    name: w.name,
    ...w.options,
    modules: true,
    scriptPath: bundles[i]!,
    // Module names are paths relative to this root: the bundle's own folder, wherever it is.
    modulesRoot: dirname(bundles[i]!),
  })) as V4MiniflareOptions extends { workers: infer W } ? W : never,
};

const mf = new Miniflare(convertV4MiniflareOptions(options));
const url = await mf.ready;
// The line the stack (and anyone reading the log) waits for, as wrangler dev prints it.
console.log(`Ready on ${url.origin}`);
for (const w of spec.workers) {
  const o = w.options as { bindings?: Record<string, unknown>; durableObjects?: object; r2Buckets?: object; serviceBindings?: object };
  // Names only: secrets share `bindings` with vars.
  const names = [...Object.keys(o.bindings ?? {}), ...Object.keys(o.durableObjects ?? {}), ...Object.keys(o.r2Buckets ?? {}), ...Object.keys(o.serviceBindings ?? {})];
  console.log(`edge: ${w.name} bindings: ${names.join(', ')}`);
}

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await mf.dispose().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
