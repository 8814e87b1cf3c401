// Manager configuration: the seed's shape, defaults, and validation (zod) at
// the boundary. Partial input is merged over the defaults.

import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { BALANCING_STRATEGIES } from './pool/balancer.ts';
import type { BreakerConfig } from './pool/breaker.ts';
import type { WorkerTemplate } from './pool/engine-worker.ts';
import { NODE_MALLOC_ENV, SMALL_HEAP_NODE_FLAGS } from './node-flags.ts';

export interface WorkerPoolConfig {
  /** Workers kept alive even when idle (default 1). */
  minWorkers: number;
  /** Upper bound of workers (default: the number of CPU cores). */
  maxWorkers: number;
  /** Queue depth that starts another worker (seed: 5). */
  scaleUpThreshold: number;
  /** Idle time after which a worker above `minWorkers` is stopped, ms (seed: 30 s). */
  scaleDownThreshold: number;
  /** New workers preload the models the queue is asking for (seed: true). */
  modelSpecialization: boolean;
  /** Requests one v2 worker may hold at once (default 1: engines are single-threaded). */
  workerConcurrency: number;
  /** Recycle a worker after this many requests (0 = never). */
  maxRequestsPerWorker: number;
  /** Recycle a worker whose RSS exceeds this many bytes (0 = never). */
  maxWorkerRssBytes: number;
  /** Silence after the v2 handshake that makes an `auto` worker v1, ms. */
  handshakeTimeoutMs: number;
  /** Longest start-up of an explicit v2 worker, ms. */
  startupTimeoutMs: number;
  /** Graceful stop: wait this long for requests in flight, ms. */
  drainTimeoutMs: number;
  /** Graceful stop: SIGKILL this long after SIGTERM, ms. */
  killTimeoutMs: number;
  /** Restart budget: worker starts allowed per minute beyond scaling (crash loops back off). */
  maxRestartsPerMinute: number;
  /** How often scaling and recycling are checked, ms. */
  scaleCheckIntervalMs: number;
  /** Worker kinds; the first is used for scaling unless a queued voice needs another. Default: the built-in engine worker. */
  templates: WorkerTemplate[];
}

export interface HealthConfig {
  /** Health check interval, ms (seed: 5 s). */
  intervalMs: number;
  /** A check not answered within this is a failure, ms. */
  timeoutMs: number;
  /** Consecutive failed checks that restart the worker (seed: 3). */
  failuresBeforeRestart: number;
}

export interface QueueConfig {
  /** Queued requests beyond this are refused (HTTP 429). */
  maxSize: number;
  /** A request waiting longer than this fails (HTTP 503), ms. */
  timeoutMs: number;
}

export interface TTSManagerConfig {
  workerPool: WorkerPoolConfig;
  circuitBreaker: BreakerConfig;
  health: HealthConfig;
  loadBalancing: { strategy: (typeof BALANCING_STRATEGIES)[number] };
  queue: QueueConfig;
  /** Retries on another worker after a worker fault: engine error or timeout (issue 4: once). */
  maxRetries: number;
  /**
   * Retries when the worker process died under the request. One more than
   * `maxRetries` by default: when several workers are killed at once, the retry
   * may land on a worker whose death is not yet noticed.
   */
  maxCrashRetries: number;
  /** Engines of the built-in worker template. */
  engines: string[];
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** In options, `{ builtin: true }` stands for this repository's engine worker. */
export interface BuiltinTemplateRef {
  builtin: true;
  /** Models to preload. */
  preload?: string[];
  /** Engines (default: the config's `engines`). */
  engines?: string[];
}
export type TemplateOption = WorkerTemplate | BuiltinTemplateRef;

export type TTSManagerOptions = DeepPartial<Omit<TTSManagerConfig, 'workerPool'>> & {
  workerPool?: DeepPartial<Omit<WorkerPoolConfig, 'templates'>> & { templates?: TemplateOption[] };
};

export const WORKER_ENTRY = fileURLToPath(new URL('./worker/main.ts', import.meta.url));

/**
 * The built-in worker: this repository's engine host, run by the current
 * executable. Inside Electron's main process that executable is Electron, so
 * the worker runs it as plain Node (ELECTRON_RUN_AS_NODE).
 */
export function builtinTemplate(engines: readonly string[], preload: string[] = []): WorkerTemplate {
  return {
    name: 'builtin',
    command: process.execPath,
    // Sparkplug compiles the wasm2js eSpeak at once: cold workers are several times faster on their first requests.
    args: ['--disable-warning=ExperimentalWarning', '--always-sparkplug', ...SMALL_HEAP_NODE_FLAGS, WORKER_ENTRY, '--engines', engines.join(',')],
    // glibc's malloc as the stack sets it (node-flags.ts), however the service itself was started.
    env: { ...NODE_MALLOC_ENV, ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
    // Known to speak v2.1: no negotiation timeout, a slow start is not mistaken for v1.
    protocol: '2.1',
    preload,
  };
}

export function defaultConfig(): TTSManagerConfig {
  const engines = ['espeak', 'flite'];
  return {
    workerPool: {
      minWorkers: 1,
      maxWorkers: Math.max(1, availableParallelism()),
      scaleUpThreshold: 5,
      scaleDownThreshold: 30_000,
      modelSpecialization: true,
      workerConcurrency: 1,
      maxRequestsPerWorker: 10_000,
      maxWorkerRssBytes: 512 * 1024 * 1024,
      handshakeTimeoutMs: 5000,
      startupTimeoutMs: 30_000,
      drainTimeoutMs: 10_000,
      killTimeoutMs: 2000,
      maxRestartsPerMinute: 30,
      scaleCheckIntervalMs: 1000,
      templates: [],
    },
    circuitBreaker: {
      kind: 'sampling',
      failureThreshold: 0.5,
      windowMs: 30_000,
      minimumRequests: 4,
      consecutiveFailures: 5,
      timeoutMs: 10_000,
      resetTimeoutMs: 60_000,
    },
    health: { intervalMs: 5000, timeoutMs: 2000, failuresBeforeRestart: 3 },
    loadBalancing: { strategy: 'weighted' },
    queue: { maxSize: 1000, timeoutMs: 30_000 },
    maxRetries: 1,
    maxCrashRetries: 2,
    engines,
  };
}

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const ms = z.number().int().nonnegative();

const templateSchema = z.object({
  name: z.string().min(1),
  command: z.string().min(1),
  args: z.array(z.string()),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  protocol: z.enum(['auto', '1.0', '2.0', '2.1']),
  preload: z.array(z.string()).optional(),
  voices: z
    .array(
      z.object({
        id: z.string().min(1),
        engine: z.string().min(1),
        language: z.string(),
        name: z.string(),
        sampleRate: positiveInt,
        aliases: z.array(z.string()),
      }),
    )
    .optional(),
  concurrency: positiveInt.optional(),
});

const configSchema = z
  .object({
    workerPool: z.object({
      minWorkers: nonNegativeInt,
      maxWorkers: positiveInt,
      scaleUpThreshold: positiveInt,
      scaleDownThreshold: ms,
      modelSpecialization: z.boolean(),
      workerConcurrency: positiveInt,
      maxRequestsPerWorker: nonNegativeInt,
      maxWorkerRssBytes: nonNegativeInt,
      handshakeTimeoutMs: positiveInt,
      startupTimeoutMs: positiveInt,
      drainTimeoutMs: ms,
      killTimeoutMs: ms,
      maxRestartsPerMinute: positiveInt,
      scaleCheckIntervalMs: positiveInt,
      templates: z.array(templateSchema),
    }),
    circuitBreaker: z.object({
      kind: z.enum(['sampling', 'consecutive']),
      failureThreshold: z.number().gt(0).lt(1),
      windowMs: positiveInt,
      minimumRequests: positiveInt,
      consecutiveFailures: positiveInt,
      timeoutMs: positiveInt,
      resetTimeoutMs: ms,
    }),
    health: z.object({ intervalMs: positiveInt, timeoutMs: positiveInt, failuresBeforeRestart: positiveInt }),
    loadBalancing: z.object({ strategy: z.enum(BALANCING_STRATEGIES) }),
    queue: z.object({ maxSize: positiveInt, timeoutMs: positiveInt }),
    maxRetries: nonNegativeInt,
    maxCrashRetries: nonNegativeInt,
    engines: z.array(z.enum(['espeak', 'flite'])).min(1),
  })
  .refine((c) => c.workerPool.minWorkers <= c.workerPool.maxWorkers, { message: 'workerPool.minWorkers must not exceed maxWorkers' });

function merge<T>(base: T, patch: unknown): T {
  if (patch === undefined) return base;
  if (Array.isArray(base) || typeof base !== 'object' || base === null || typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return patch as T;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) out[k] = merge(out[k], v);
  return out as T;
}

/** Merges options over the defaults and validates; throws TypeError with every problem listed. */
export function resolveConfig(options: TTSManagerOptions = {}): TTSManagerConfig {
  const merged = merge(defaultConfig(), options) as TTSManagerConfig;
  const engines = merged.engines;
  merged.workerPool.templates = (merged.workerPool.templates as TemplateOption[]).map((t) =>
    'builtin' in t && t.builtin === true ? builtinTemplate(t.engines ?? engines, t.preload ?? []) : (t as WorkerTemplate),
  );
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new TypeError(`invalid TTSManager config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const config = merged;
  if (config.workerPool.templates.length === 0) config.workerPool.templates = [builtinTemplate(config.engines)];
  return config;
}
