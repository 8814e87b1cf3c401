// Sizes and durations of the chaos and load suites, from the environment, so
// `npm test` runs a reduced version and a full run is one variable away.
//
//   LECTOR_CHAOS_FULL=1        200-chunk jobs, 30 s synthesis outage
//   LECTOR_CHAOS_CHUNKS=n      chunks per chaos job (default 60, 200 when full)
//   LECTOR_CHAOS_OUTAGE_MS=ms  synthesis outage of scenario b (default 10,000, 30,000 when full)
//   LECTOR_CHAOS_CHUNK_CHARS=n maxChunkChars of every chaos and load job (default 100; 1000 = the
//                              production default growth, 0 = one paragraph per chunk)
//   LECTOR_LOAD_FULL=1         3-minute load run instead of the short one
//   LECTOR_LOAD_SECONDS=s      seconds during which jobs are submitted (default 15, 180 when full)

export interface ChaosConfig {
  /** True for the full run (LECTOR_CHAOS_FULL=1). */
  full: boolean;
  /** Chunks of each chaos job. */
  chunks: number;
  /** How long the synthesis service stays down in scenario b (ms). */
  outageMs: number;
  /**
   * The jobs' `maxChunkChars`: the faults are tied to chunks and requests, not to text, so the
   * chunks are kept small (the engine's time grows with the text, the faults' reach does not).
   */
  maxChunkChars: number;
}

export interface LoadConfig {
  full: boolean;
  /** How long new jobs keep being submitted and direct requests sent (ms). */
  durationMs: number;
  /** Jobs in flight at once. */
  concurrentJobs: number;
  /** Requests per second straight to the synthesis service. */
  directRps: number;
  /** Job sizes (chunks), cycled over the clients. */
  sizes: number[];
  /** The jobs' `maxChunkChars` (as the chaos jobs'). */
  maxChunkChars: number;
}

function flag(name: string): boolean {
  const v = process.env[name];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

function positiveInt(name: string, dflt: number, min = 1): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new TypeError(`${name} must be an integer of at least ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** Default `maxChunkChars` of the chaos and load jobs: a chunk is about one sentence of the novel. */
const TEST_CHUNK_CHARS = 100;

function chunkChars(): number {
  return positiveInt('LECTOR_CHAOS_CHUNK_CHARS', TEST_CHUNK_CHARS, 0);
}

export function chaosConfig(): ChaosConfig {
  const full = flag('LECTOR_CHAOS_FULL');
  return {
    full,
    chunks: positiveInt('LECTOR_CHAOS_CHUNKS', full ? 200 : 60),
    outageMs: positiveInt('LECTOR_CHAOS_OUTAGE_MS', full ? 30_000 : 10_000),
    maxChunkChars: chunkChars(),
  };
}

export function loadConfig(): LoadConfig {
  const full = flag('LECTOR_LOAD_FULL');
  return {
    full,
    durationMs: positiveInt('LECTOR_LOAD_SECONDS', full ? 180 : 15) * 1000,
    concurrentJobs: 20,
    directRps: 10,
    sizes: full ? [2, 8, 20, 50, 100] : [2, 4, 8, 12, 24],
    maxChunkChars: chunkChars(),
  };
}
