// Sizes and durations of the chaos and load suites, from the environment, so
// `npm test` runs a reduced version and a full run is one variable away.
//
//   LECTOR_CHAOS_FULL=1        200-chunk jobs, 30 s synthesis outage
//   LECTOR_CHAOS_CHUNKS=n      chunks per chaos job (default 60, 200 when full)
//   LECTOR_CHAOS_OUTAGE_MS=ms  synthesis outage of scenario b (default 10,000, 30,000 when full)
//   LECTOR_LOAD_FULL=1         3-minute load run instead of the short one
//   LECTOR_LOAD_SECONDS=s      seconds during which jobs are submitted (default 15, 180 when full)

export interface ChaosConfig {
  /** True for the full run (LECTOR_CHAOS_FULL=1). */
  full: boolean;
  /** Chunks of each chaos job. */
  chunks: number;
  /** How long the synthesis service stays down in scenario b (ms). */
  outageMs: number;
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
}

function flag(name: string): boolean {
  const v = process.env[name];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

function positiveInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

export function chaosConfig(): ChaosConfig {
  const full = flag('LECTOR_CHAOS_FULL');
  return {
    full,
    chunks: positiveInt('LECTOR_CHAOS_CHUNKS', full ? 200 : 60),
    outageMs: positiveInt('LECTOR_CHAOS_OUTAGE_MS', full ? 30_000 : 10_000),
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
  };
}
