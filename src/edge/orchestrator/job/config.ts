// Job settings from the Worker's environment, parsed once with defaults.

export interface JobConfig {
  /** Chunks in flight at once per job. */
  concurrency: number;
  /** Attempts per chunk, the first included. */
  maxAttempts: number;
  /** Seconds a job (state and audio) lives after creation. */
  ttlSeconds: number;
  /** Chunks one alarm invocation may dispatch (bounds subrequests per invocation). */
  maxChunksPerAlarm: number;
  defaultVoice: string;
  /** SSE comment heartbeat interval (ms). */
  heartbeatMs: number;
  /** How long a backend may stay unreachable before chunks start spending attempts on it (ms). */
  maxOutageMs: number;
}

/**
 * Few chunks per alarm: each one's answer is CPU billed to the invocation that dispatched it
 * (~3 ms each; issue 12 asks ≤ 10 ms per invocation). The pipeline stays full: the next alarm
 * dispatches while the last chunks of this one are still in flight.
 */
export const DEFAULT_MAX_CHUNKS_PER_ALARM = 2;

export function jobConfig(env: Partial<Record<string, unknown>>): JobConfig {
  return {
    concurrency: int(env.JOB_CONCURRENCY, 4, 1, 32),
    maxAttempts: int(env.JOB_MAX_ATTEMPTS, 5, 1, 20),
    ttlSeconds: int(env.JOB_TTL_SECONDS, 86_400, 1, 30 * 86_400),
    maxChunksPerAlarm: int(env.JOB_MAX_CHUNKS_PER_ALARM, DEFAULT_MAX_CHUNKS_PER_ALARM, 1, 45),
    heartbeatMs: int(env.SSE_HEARTBEAT_MS, 15_000, 100, 60_000),
    maxOutageMs: int(env.JOB_MAX_OUTAGE_SECONDS, 900, 0, 86_400) * 1000,
    defaultVoice: typeof env.DEFAULT_VOICE === 'string' && env.DEFAULT_VOICE ? env.DEFAULT_VOICE : 'espeak:en-us',
  };
}

function int(v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new TypeError(`invalid job setting ${String(v)}: expected an integer in [${min}, ${max}]`);
  }
  return n;
}
