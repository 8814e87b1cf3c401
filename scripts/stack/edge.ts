// Starts the edge tier (orchestrator + backend Workers, and the bench's Tail
// Worker) as one child process group: by default the Miniflare runner
// (scripts/stack/edge-runner.ts); `LECTOR_EDGE_RUNNER=wrangler` runs
// `wrangler dev` instead, for live reload while editing Worker code (it costs a
// Node process, an esbuild watcher and a proxy workerd: docs/benchmarks.md, Edge runner).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileCacheEnv, NODE_MALLOC_ENV, SMALL_HEAP_NODE_FLAGS } from '../../src/synth/node-flags.ts';
import { edgeCaEnv } from './edge-ca.ts';
import { workerSpecFromConfig, type EdgeRunSpec } from './miniflare-options.ts';
import { ManagedProcess } from './process.ts';

export type EdgeRunner = 'miniflare' | 'wrangler';
const DEFAULT_RUNNER: EdgeRunner = 'miniflare';

/** The runner LECTOR_EDGE_RUNNER names; DEFAULT_RUNNER when unset. */
export function edgeRunner(env: NodeJS.ProcessEnv = process.env): EdgeRunner {
  const v = env.LECTOR_EDGE_RUNNER?.trim() || DEFAULT_RUNNER;
  if (v !== 'miniflare' && v !== 'wrangler') throw new Error(`LECTOR_EDGE_RUNNER must be miniflare or wrangler, got ${JSON.stringify(v)}`);
  return v;
}

export interface EdgeStart {
  runner: EdgeRunner;
  repoRoot: string;
  /** Run configs from writeRunConfigs, the first Worker first. */
  configs: { orchestrator: string; backend: string; tail?: string };
  /** This run's folder (configs, bundles). */
  runDir: string;
  port: number;
  inspectorPort: number;
  persistDir: string;
  onLine?: (line: string) => void;
}

/**
 * Memory (docs/benchmarks.md, Memory). Local observability is wrangler's trace
 * store: a Worker inside workerd that receives a streaming tail of every
 * invocation and keeps it in SQLite, so it grows with the job (+57 MiB for the
 * 50,000-character job); the local explorer is its UI. Nothing here reads
 * either (the Miniflare runner never turns them on). No GOGC / GOMEMLIMIT for
 * wrangler's esbuild watcher: GOMEMLIMIT=48MiB, below its ~70 MiB heap, kept Go's
 * collector running and cost ~9 s of CPU per 30 s idle, against ~1 s without
 * (docs/benchmarks.md, Edge runner).
 */
const EDGE_MEMORY_ENV: Readonly<Record<string, string>> = {
  ...NODE_MALLOC_ENV,
  // Miniflare passes these V8 flags to workerd: the same 1 MiB nursery as our Node processes,
  // for each isolate (-36 MiB for the stack's workerd, no CPU difference measured).
  MINIFLARE_WORKERD_V8_FLAGS: SMALL_HEAP_NODE_FLAGS.join(' '),
  X_LOCAL_OBSERVABILITY: 'false',
  X_LOCAL_EXPLORER: 'false',
};

function edgeEnv(repoRoot: string): NodeJS.ProcessEnv {
  return {
    ...edgeCaEnv(process.env),
    // No calls off the machine: no cf-fetch, no telemetry, no update checks.
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_UPDATE_CHECK: 'false',
    CI: process.env.CI ?? 'true',
    NO_COLOR: '1',
    ...EDGE_MEMORY_ENV,
    ...compileCacheEnv(repoRoot),
  };
}

/**
 * wrangler's CLI run directly: its bin/wrangler.js only starts a second Node
 * process running wrangler-dist/cli.js with --no-warnings (50 MiB RSS for a
 * launcher). Node flags as for the synthesis service.
 */
function wranglerArgs(o: EdgeStart): string[] {
  const { configs } = o;
  return [
    '--no-warnings', ...SMALL_HEAP_NODE_FLAGS, join(o.repoRoot, 'node_modules/wrangler/wrangler-dist/cli.js'),
    'dev',
    '-c', configs.orchestrator,
    '-c', configs.backend,
    ...(configs.tail ? ['-c', configs.tail] : []),
    '--ip', '127.0.0.1',
    '--port', String(o.port),
    '--inspector-port', String(o.inspectorPort),
    '--persist-to', o.persistDir,
    '--show-interactive-dev-session=false',
    '--log-level', 'info',
  ];
}

/** The Miniflare runner's spec, written next to the run's configs. */
function miniflareArgs(o: EdgeStart): string[] {
  const { configs } = o;
  const spec: EdgeRunSpec = {
    host: '127.0.0.1',
    port: o.port,
    inspectorPort: o.inspectorPort,
    persistDir: o.persistDir,
    buildDir: join(o.runDir, 'build'),
    workers: [configs.orchestrator, configs.backend, ...(configs.tail ? [configs.tail] : [])].map(workerSpecFromConfig),
  };
  const path = join(o.runDir, 'edge-spec.json');
  writeFileSync(path, JSON.stringify(spec, null, 2), { mode: 0o600 }); // holds the secrets, like .dev.vars
  return ['--no-warnings', ...SMALL_HEAP_NODE_FLAGS, join(o.repoRoot, 'scripts/stack/edge-runner.ts'), path];
}

/** Starts the edge; resolves once it printed its "Ready on http" line (the caller then polls /api/health). */
export async function startEdgeProcess(o: EdgeStart, timeoutMs: number): Promise<ManagedProcess> {
  const edge = new ManagedProcess({
    name: o.runner === 'wrangler' ? 'wrangler' : 'edge',
    command: process.execPath,
    args: o.runner === 'wrangler' ? wranglerArgs(o) : miniflareArgs(o),
    cwd: o.repoRoot,
    env: edgeEnv(o.repoRoot),
    onLine: (line) => o.onLine?.(line),
  });
  try {
    await edge.waitForLine(/Ready on http/, timeoutMs);
  } catch (e) {
    await edge.stop();
    throw e;
  }
  return edge;
}
