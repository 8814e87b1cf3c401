// `npm start`: builds the page, then runs the whole stack on 127.0.0.1 — the
// synthesis service on :5002 and the Workers (orchestrator + backend) in workerd
// on :8787, through Miniflare (LECTOR_EDGE_RUNNER=wrangler: wrangler dev, with
// live reload), state under .wrangler/state. Ctrl-C stops every process.
// Secrets (LECTOR_API_KEYS, SYNTH_TOKEN, provider keys) come from the process
// environment or the repository's .dev.vars; the environment wins.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { buildWeb } from './build-web.ts';
import { keyCount, loadDevVars } from './dev-secrets.ts';
import { REPO_ROOT, startStack, type Stack } from './stack/stack.ts';

const synthPort = Number(process.env.LECTOR_SYNTH_PORT ?? 5002);
const edgePort = Number(process.env.LECTOR_PORT ?? 8787);
/** Local state; LECTOR_STATE_DIR lets a second copy (or a test) keep its own. */
const stateDir = process.env.LECTOR_STATE_DIR ?? join(REPO_ROOT, '.wrangler/state');

// .dev.vars fills in what the environment does not set, so every reader below sees both.
const fromFile = loadDevVars(join(REPO_ROOT, '.dev.vars'));
for (const [k, v] of Object.entries(fromFile)) if (process.env[k] === undefined) process.env[k] = v;
const apiKeys = process.env.LECTOR_API_KEYS?.trim() || undefined;
const synthToken = process.env.SYNTH_TOKEN || undefined;

await buildWeb();
console.log(`lector: starting the synthesis service on 127.0.0.1:${synthPort} and the Workers on 127.0.0.1:${edgePort} ...`);
let stack: Stack | undefined;
let stopping = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nlector: stopping ...');
  await stack?.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  stack = await startStack({
    synthPort,
    edgePort,
    persistDir: stateDir,
    // One engine worker per core from the start: a single job keeps 4 chunks in flight, under the
    // service's scale-up threshold (5 queued), so it would otherwise run on one worker.
    synthArgs: ['--min-workers', String(availableParallelism())],
    // Providers (docs/providers.md): the backend's PROVIDERS var for this run; the secrets it names come from the environment.
    backendVars: {
      ...(process.env.LECTOR_PROVIDERS ? { PROVIDERS: process.env.LECTOR_PROVIDERS } : {}),
      ...(synthToken ? { SYNTH_TOKEN: synthToken } : {}),
    },
    orchestratorVars: apiKeys ? { LECTOR_API_KEYS: apiKeys } : {},
    // The local synthesis service checks the same token the backend sends.
    ...(synthToken && !process.env.LECTOR_SYNTH_TOKEN ? { synthEnv: { LECTOR_SYNTH_TOKEN: synthToken } } : {}),
    startTimeoutMs: 120_000,
    onLine: (name, line) => {
      if (process.env.LECTOR_VERBOSE || /error|warn|listening|\bready\b/i.test(line)) console.log(`[${name}] ${line}`);
    },
  });
} catch (e) {
  console.error('lector: failed to start:', e instanceof Error ? e.message : e);
  await shutdown(1);
}
if (stack) {
  console.log(`
  Lector is running.
    Web page and API:   ${stack.edgeUrl}/
    Synthesis service:  ${stack.synthUrl}  (dashboard: ${stack.synthUrl}/dashboard)
  ${
    apiKeys
      ? `API keys are on (${keyCount(apiKeys)} configured): send Authorization: Bearer <key>.`
      : 'The API is open (no API key; set LECTOR_API_KEYS to require one).'
  } It listens on 127.0.0.1 only.${synthToken ? '\n    The backend sends SYNTH_TOKEN to the synthesis service.' : ''}
  Press Ctrl-C to stop.
`);
  void Promise.race([stack.edge.exited, stack.synth?.exited ?? new Promise(() => undefined)]).then(() => {
    if (!stopping) {
      console.error('lector: a process exited unexpectedly');
      void shutdown(1);
    }
  });
}
