// Starts Lector's whole local stack: the synthesis service and the edge
// (orchestrator and backend Workers in one workerd, through Miniflare's API, or
// `wrangler dev` with LECTOR_EDGE_RUNNER=wrangler; scripts/stack/edge.ts). Used by
// `npm start`, the end-to-end tests, the chaos suite and the benchmarks.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { secretNames, validateProviderConfig } from '../../src/edge/backend/providers/config.ts';
import { compileCacheEnv, NODE_MALLOC_ENV, SMALL_HEAP_NODE_FLAGS } from '../../src/synth/node-flags.ts';
import { readJsonc } from './jsonc.ts';
import { edgeRunner, startEdgeProcess } from './edge.ts';
import { ManagedProcess } from './process.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ORCHESTRATOR_CONFIG = join(REPO_ROOT, 'src/edge/orchestrator/wrangler.jsonc');
const BACKEND_CONFIG = join(REPO_ROOT, 'src/edge/backend/wrangler.jsonc');

export interface StackOptions {
  /** Port of the synthesis service; 0 picks a free one. Default 0. */
  synthPort?: number;
  /** Port of the edge (the Workers' HTTP entry); 0 picks a free one. Default 0. */
  edgePort?: number;
  /** Where the edge keeps Durable Object and R2 state (wrangler's --persist-to layout). Default: a fresh folder under .wrangler/test-state. */
  persistDir?: string;
  /** Extra arguments and environment for the synthesis service. */
  synthArgs?: string[];
  synthEnv?: NodeJS.ProcessEnv;
  /** Use this synthesis URL instead of starting the service. */
  externalSynthUrl?: string;
  /** Var overrides for each Worker. */
  orchestratorVars?: Record<string, string>;
  backendVars?: Record<string, string>;
  /** Benchmarks: run a Tail Worker that posts every invocation's CPU and wall time to this URL. */
  tailCollectorUrl?: string;
  /** Receives each output line of each process. */
  onLine?: (name: string, line: string) => void;
  /** Milliseconds to wait for each process to come up. */
  startTimeoutMs?: number;
}

export interface Stack {
  edgeUrl: string;
  synthUrl: string;
  synth: ManagedProcess | undefined;
  edge: ManagedProcess;
  persistDir: string;
  /** Stops the edge (state stays on disk) and starts it again on the same port. */
  restartEdge(): Promise<void>;
  stopSynth(): Promise<void>;
  startSynth(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Node 24 from node_modules (npm scripts put it first on PATH; tests may not). */
export function nodeBinary(): string {
  return process.execPath;
}

/** Vars that are secrets in a deployment: written to .dev.vars (wrangler hides their values) instead of the config. */
const SECRET_VARS = new Set(['LECTOR_API_KEYS', 'SYNTH_TOKEN', 'GOOGLE_TTS_API_KEY', 'OPENAI_API_KEY']);

/**
 * The backend's provider configuration for this run, checked before anything
 * starts: a bad PROVIDERS (or SYNTH_URL) stops the start with a message naming
 * the field. Answers the secrets the configuration names, taken from
 * `backendVars` or else this process's environment, to pass on in .dev.vars.
 */
export function checkBackendProviders(synthUrl: string, backendVars: Record<string, string> = {}, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const committed = readJsonc(BACKEND_CONFIG);
  const vars = { ...(committed.vars as Record<string, unknown> | undefined), SYNTH_URL: synthUrl, ...backendVars };
  const shape = validateProviderConfig(vars);
  if (!shape.ok) throw new Error(`backend ${shape.message}`);
  const secrets: Record<string, string> = {};
  for (const name of secretNames(shape.config)) {
    const value = backendVars[name] ?? env[name];
    if (value) secrets[name] = value;
  }
  const ai = (committed.ai as { binding?: string } | undefined)?.binding;
  const full = validateProviderConfig(vars, { secrets, bindings: ai ? [ai] : [] });
  if (!full.ok) throw new Error(`backend ${full.message}`);
  for (const name of Object.keys(secrets)) SECRET_VARS.add(name);
  return secrets;
}

function writeWorkerConfig(dir: string, config: Record<string, unknown>, vars: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  const plain: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [k, v] of Object.entries(vars)) {
    if (SECRET_VARS.has(k)) secrets.push(`${k}=${JSON.stringify(v)}`);
    else plain[k] = v;
  }
  config.vars = { ...(config.vars as Record<string, string>), ...plain };
  const path = join(dir, 'wrangler.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  writeFileSync(join(dir, '.dev.vars'), secrets.join('\n') + '\n', { mode: 0o600 });
  return path;
}

/** Writes configs for this run: absolute paths, per-run vars. The committed configs stay untouched. */
export function writeRunConfigs(
  dir: string,
  orchestratorVars: Record<string, string>,
  backendVars: Record<string, string>,
  tailCollectorUrl?: string,
): { orchestrator: string; backend: string; tail?: string } {
  const orch = readJsonc(ORCHESTRATOR_CONFIG);
  orch.main = join(REPO_ROOT, 'src/edge/orchestrator', orch.main as string);
  const assets = orch.assets as { directory: string };
  assets.directory = join(REPO_ROOT, 'src/edge/orchestrator', assets.directory);
  const back = readJsonc(BACKEND_CONFIG);
  back.main = join(REPO_ROOT, 'src/edge/backend', back.main as string);
  let tail: string | undefined;
  if (tailCollectorUrl) {
    orch.tail_consumers = [{ service: 'lector-bench-tail' }];
    back.tail_consumers = [{ service: 'lector-bench-tail' }];
    const tailConfig = { name: 'lector-bench-tail', main: join(REPO_ROOT, 'bench/tail/index.ts'), compatibility_date: orch.compatibility_date };
    tail = writeWorkerConfig(join(dir, 'tail'), tailConfig, { COLLECTOR_URL: tailCollectorUrl });
  }
  const out: { orchestrator: string; backend: string; tail?: string } = {
    orchestrator: writeWorkerConfig(join(dir, 'orchestrator'), orch, orchestratorVars),
    backend: writeWorkerConfig(join(dir, 'backend'), back, backendVars),
  };
  if (tail) out.tail = tail;
  return out;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const timeout = opts.startTimeoutMs ?? 90_000;
  const runId = `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const persistDir = opts.persistDir ?? join(REPO_ROOT, '.wrangler/test-state', runId);
  const onLine = opts.onLine;

  let synth: ManagedProcess | undefined;
  let synthUrl = opts.externalSynthUrl ?? '';
  let synthPort = opts.synthPort ?? 0;
  const startSynth = async (): Promise<void> => {
    synth = new ManagedProcess({
      name: 'synth',
      command: nodeBinary(),
      args: [...SMALL_HEAP_NODE_FLAGS, join(REPO_ROOT, 'src/synth/main.ts'), '--port', String(synthPort), ...(opts.synthArgs ?? [])],
      cwd: REPO_ROOT,
      env: { ...process.env, ...NODE_MALLOC_ENV, ...compileCacheEnv(REPO_ROOT), ...opts.synthEnv },
      onLine: (line) => onLine?.('synth', line),
    });
    const m = await synth.waitForLine(/listening on (http:\/\/[\d.]+:(\d+))/, timeout);
    synthUrl = m[1]!;
    synthPort = Number(m[2]);
  };
  // Before anything starts; the synthesis service's port may not be known yet, only its shape matters here.
  const providerSecrets = checkBackendProviders(opts.externalSynthUrl ?? `http://127.0.0.1:${synthPort || 5002}`, opts.backendVars);
  if (!opts.externalSynthUrl) await startSynth();

  const edgePort = opts.edgePort || (await freePort());
  const runDir = join(REPO_ROOT, '.wrangler/run-config', runId);
  const configs = writeRunConfigs(runDir, opts.orchestratorVars ?? {}, {
    SYNTH_URL: synthUrl,
    ...providerSecrets,
    ...opts.backendVars,
  }, opts.tailCollectorUrl);
  const runner = edgeRunner();
  const startEdge = async (): Promise<ManagedProcess> => {
    const edge = await startEdgeProcess(
      { runner, repoRoot: REPO_ROOT, configs, runDir, port: edgePort, inspectorPort: await freePort(), persistDir, onLine: (line) => onLine?.(runner === 'wrangler' ? 'wrangler' : 'edge', line) },
      timeout,
    );
    try {
      await waitForHttp(`http://127.0.0.1:${edgePort}/api/health`, timeout);
    } catch (e) {
      await edge.stop();
      throw e;
    }
    return edge;
  };
  let edge = await startEdge().catch(async (e: unknown) => {
    await synth?.stop();
    throw e;
  });

  return {
    get edgeUrl() {
      return `http://127.0.0.1:${edgePort}`;
    },
    get synthUrl() {
      return synthUrl;
    },
    get synth() {
      return synth;
    },
    get edge() {
      return edge;
    },
    persistDir,
    async restartEdge() {
      await edge.stop();
      edge = await startEdge();
    },
    async stopSynth() {
      await synth?.stop();
    },
    startSynth,
    async stop() {
      await Promise.all([edge.stop(), synth?.stop()]);
      // A run's own state and configs go with it (the caller's persistDir stays).
      rmSync(runDir, { recursive: true, force: true });
      if (!opts.persistDir) rmSync(persistDir, { recursive: true, force: true });
    },
  };
}

/** Polls `url` until it answers with any HTTP status. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}
