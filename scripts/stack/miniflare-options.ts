// Translates a run's wrangler config (the wrangler.json + .dev.vars that
// writeRunConfigs writes) into Miniflare worker options, for the Miniflare edge
// runner. Only the keys Lector's Workers use; anything else stops the start so
// a new binding is never silently missing locally. A unit test checks the
// result against wrangler's own translation (unstable_getMiniflareWorkerOptions),
// which is not called here: importing wrangler costs ~250 MiB and seconds.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** One Worker as the runner starts it: source entry point plus Miniflare (v4-shaped) options. */
export interface EdgeWorkerSpec {
  name: string;
  /** Absolute path of the Worker's entry module (bundled by the runner). */
  main: string;
  /** Miniflare worker options without the script. */
  options: Record<string, unknown>;
}

/** What the runner process reads: every Worker, in order (the first takes the HTTP requests). */
export interface EdgeRunSpec {
  host: string;
  port: number;
  /** workerd's own inspector (the bench's CPU profiler attaches here). */
  inspectorPort: number;
  /** Same folder `wrangler dev --persist-to` uses; state lives in its v3/ like wrangler's. */
  persistDir: string;
  /** Where the runner writes its bundles. */
  buildDir: string;
  workers: EdgeWorkerSpec[];
}

const KNOWN_KEYS = new Set([
  '$schema', 'name', 'main', 'compatibility_date', 'compatibility_flags', 'workers_dev', 'preview_urls',
  'assets', 'durable_objects', 'migrations', 'r2_buckets', 'services', 'vars', 'tail_consumers',
]);

interface RunConfig {
  name: string;
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  assets?: { directory: string; binding?: string; run_worker_first?: boolean | string[] };
  durable_objects?: { bindings: { name: string; class_name: string; script_name?: string }[] };
  migrations?: { new_sqlite_classes?: string[]; new_classes?: string[] }[];
  r2_buckets?: { binding: string; bucket_name: string }[];
  services?: { binding: string; service: string; entrypoint?: string }[];
  vars?: Record<string, unknown>;
  tail_consumers?: { service: string }[];
}

/** `.dev.vars` as writeRunConfigs writes it: NAME="json string" per line. */
export function readDevVars(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0 || line.trimStart().startsWith('#')) continue;
    const raw = line.slice(eq + 1).trim();
    out[line.slice(0, eq).trim()] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return out;
}

/**
 * Assets routing as wrangler computes it for `run_worker_first`: patterns go
 * to the Worker first, `!patterns` straight to the assets.
 */
function assetOptions(config: RunConfig, base: string): Record<string, unknown> | undefined {
  const a = config.assets;
  if (!a) return undefined;
  const first = a.run_worker_first;
  const routerConfig: Record<string, unknown> = { has_user_worker: true };
  if (Array.isArray(first)) {
    routerConfig.static_routing = {
      asset_worker: first.filter((p) => p.startsWith('!')).map((p) => p.slice(1)),
      user_worker: first.filter((p) => !p.startsWith('!')),
    };
  } else if (first === true) {
    routerConfig.invoke_user_worker_ahead_of_assets = true;
  }
  return {
    directory: resolve(base, a.directory),
    ...(a.binding ? { binding: a.binding } : {}),
    ...(first !== undefined ? { run_worker_first: first } : {}),
    routerConfig,
    assetConfig: { compatibility_date: config.compatibility_date, compatibility_flags: config.compatibility_flags ?? [] },
  };
}

/** The Miniflare spec of the Worker whose run config is at `configPath`. */
export function workerSpecFromConfig(configPath: string): EdgeWorkerSpec {
  const raw = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length > 0) {
    throw new Error(`${configPath}: the Miniflare edge runner does not translate ${unknown.join(', ')}; add it to scripts/stack/miniflare-options.ts or run LECTOR_EDGE_RUNNER=wrangler`);
  }
  const config = raw as unknown as RunConfig;
  const base = dirname(configPath);
  const sqlite = new Set((config.migrations ?? []).flatMap((m) => m.new_sqlite_classes ?? []));
  const options: Record<string, unknown> = {
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    // Vars (JSON values stay JSON), then the secrets of .dev.vars, as wrangler dev merges them.
    bindings: { ...config.vars, ...readDevVars(join(base, '.dev.vars')) },
    durableObjects: Object.fromEntries(
      (config.durable_objects?.bindings ?? []).map((b) => [
        b.name,
        { className: b.class_name, useSQLite: sqlite.has(b.class_name), ...(b.script_name ? { scriptName: b.script_name } : {}) },
      ]),
    ),
    r2Buckets: Object.fromEntries((config.r2_buckets ?? []).map((b) => [b.binding, { id: b.bucket_name }])),
    serviceBindings: Object.fromEntries(
      (config.services ?? []).map((s) => [s.binding, { name: s.service, ...(s.entrypoint ? { entrypoint: s.entrypoint } : {}) }]),
    ),
    tails: (config.tail_consumers ?? []).map((t) => ({ name: t.service })),
  };
  const assets = assetOptions(config, base);
  if (assets) options.assets = assets;
  return { name: config.name, main: resolve(base, config.main), options };
}
