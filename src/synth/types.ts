// Public types of the synthesis service: the ITTSService contract (seed 004),
// requests and results, worker states, status snapshots. Runtime-free.

/** Lifecycle of one engine worker process (seed 004). */
export const WorkerState = {
  INITIALIZING: 'INITIALIZING',
  READY: 'READY',
  BUSY: 'BUSY',
  UNHEALTHY: 'UNHEALTHY',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  TERMINATED: 'TERMINATED',
} as const;
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

export type Priority = 'high' | 'normal' | 'low';
export const PRIORITIES: readonly Priority[] = ['high', 'normal', 'low'];

export type EngineId = 'espeak' | 'flite' | (string & {});

/** `[charOffset, charLength, startMs, endMs]`: offsets are UTF-16 code units into the request text. */
export type WordTimingTuple = [charOffset: number, charLength: number, startMs: number, endMs: number];

/** One voice of the catalog (`GET /v1/voices`). */
export interface VoiceDescriptor {
  /** Stable id, `<engine>:<name>`, e.g. `espeak:en-us`, `flite:slt`. */
  id: string;
  engine: EngineId;
  /** BCP-47-ish language tag, lower case. */
  language: string;
  /** Human-readable name. */
  name: string;
  sampleRate: number;
}

export interface SynthesisRequest {
  /** Text to speak (plain text: markup is read, never interpreted). */
  text: string;
  /** Voice id (`espeak:en-us`), a bare eSpeak language (`en-us`) or an OpenAI voice name (`alloy`). */
  voice: string;
  /** Speaking rate multiplier, 0.25-4.0 (default 1). */
  speed?: number;
  /** Queue priority (default `normal`). */
  priority?: Priority;
  /** Caller's id, carried to the worker in `metadata.correlationId`. */
  correlationId?: string;
  /** Cancels the request while it waits in the queue or runs. */
  signal?: AbortSignal;
}

export interface SynthesisResult {
  /** Signed 16-bit little-endian mono PCM (joined from `pcmParts` when first read). */
  readonly pcm: Uint8Array;
  /** The same PCM in the pieces it arrived in from the worker; writing these avoids a copy. */
  pcmParts: readonly Uint8Array[];
  pcmBytes: number;
  sampleRate: number;
  durationMs: number;
  engine: EngineId;
  /** The resolved voice id. */
  voice: string;
  /** Word timings when the engine reports them, else null. */
  words: WordTimingTuple[] | null;
  /** Worker that produced the audio. */
  workerId: string;
  /** 1 when the first worker answered, 2 after a retry on another worker. */
  attempts: number;
  /** Time spent waiting in the queue, ms. */
  queuedMs: number;
  /** Synthesis time reported by the worker (engine only), ms. */
  engineMs: number;
  /** Total time from `synthesize()` to the result, ms. */
  latencyMs: number;
}

export type BreakerStateName = 'closed' | 'open' | 'half_open' | 'isolated';

export interface WorkerStatus {
  id: string;
  template: string;
  pid: number | null;
  state: WorkerState;
  protocol: string | null;
  /** Models (voice ids or `engine:*`) this worker has loaded. */
  models: string[];
  inFlight: number;
  requestsServed: number;
  failures: number;
  consecutiveFailures: number;
  successRate: number;
  avgResponseMs: number;
  healthScore: number;
  breaker: BreakerStateName;
  rssBytes: number | null;
  startedAt: number;
  lastActivityAt: number;
  restarts: number;
}

export interface ServiceStatus {
  state: 'starting' | 'ready' | 'degraded' | 'unavailable' | 'stopped';
  uptimeMs: number;
  strategy: string;
  queue: { depth: number; byPriority: Record<Priority, number>; capacity: number };
  workers: WorkerStatus[];
  metrics: SystemMetrics;
}

/** The seed's `SystemMetrics`. */
export interface SystemMetrics {
  averageLatency: number;
  p50Latency: number;
  p95Latency: number;
  p99Latency: number;
  requestsPerSecond: number;
  queueDepth: number;
  successRate: number;
  /** Worst breaker state over the workers (`open` > `half_open` > `closed`). */
  circuitBreakerState: BreakerStateName;
  workerHealth: number[];
  /** Bytes: this process plus all workers' RSS. */
  memoryUsage: number;
  /** Fraction of one core used by this process since the last sample. */
  cpuUsage: number;
  activeWorkers: number;
  totalRequests: number;
  failedRequests: number;
  retriedRequests: number;
}
