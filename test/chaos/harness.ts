// The local stack with the fault proxy between the backend Worker and the
// synthesis service, plus the job and synthesis-service calls the chaos and
// load suites make. The proxy is the one place every synthesis request of the
// edge passes, so it counts them per job and per chunk.
import { freePort, startStack, type Stack, type StackOptions } from '../../scripts/stack/stack.ts';
import type { ChunkInfo, CreateJobResponse, JobState, JobStatus } from '../../src/core/api/types.ts';
import type { ServiceStatus } from '../../src/synth/types.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { fetchIdempotent } from '../support/http.ts';

export interface ChaosStack {
  stack: Stack;
  proxy: FaultProxy;
  edgeUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the synthesis service on a port chosen first, the fault proxy in front
 * of that port, and wrangler dev with the backend's SYNTH_URL at the proxy. The
 * service can be stopped and started again on the same port behind the proxy.
 */
export async function startChaosStack(opts: Omit<StackOptions, 'synthPort' | 'externalSynthUrl'> = {}): Promise<ChaosStack> {
  const synthPort = await freePort();
  const proxy = await startFaultProxy(`http://127.0.0.1:${synthPort}`);
  let stack: Stack;
  try {
    stack = await startStack({ ...opts, synthPort, backendVars: { ...opts.backendVars, SYNTH_URL: proxy.url } });
  } catch (e) {
    await proxy.close();
    throw e;
  }
  return {
    stack,
    proxy,
    get edgeUrl() {
      return stack.edgeUrl;
    },
    async stop() {
      await stack.stop();
      await proxy.close();
    },
  };
}

export const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

export async function createJob(edgeUrl: string, text: string, extra: Record<string, unknown> = {}): Promise<CreateJobResponse> {
  const post = () =>
    fetch(`${edgeUrl}/api/tts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, voiceId: 'espeak:en-us', ...extra }),
    });
  // wrangler dev may close a kept-alive connection (seen after a 20 MB audio download) just as the
  // next request reuses it ("other side closed"); the Worker then most likely never saw the request: send it once more.
  const res = await post().catch((e: unknown) => {
    if ((e as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw e;
    console.warn('createJob: the kept-alive connection was closed under the request; sending it again');
    return post();
  });
  if (res.status !== 202) throw new Error(`POST /api/tts answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as CreateJobResponse;
}

export async function jobState(edgeUrl: string, jobId: string, withChunks = false): Promise<JobState> {
  const res = await fetchIdempotent(`${edgeUrl}/api/tts/${jobId}${withChunks ? '?include=chunks' : ''}`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET job ${jobId} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as JobState;
}

export function chunksOf(state: JobState): ChunkInfo[] {
  if (!state.chunks) throw new Error('job state without chunks: ask with ?include=chunks');
  return state.chunks;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls the job every `intervalMs` until `done(state)` holds. A poll that fails
 * (the edge restarting) is retried; the last error is reported on timeout.
 */
export async function waitForJob(edgeUrl: string, jobId: string, done: (s: JobState) => boolean, timeoutMs: number, intervalMs = 250): Promise<JobState> {
  const deadline = Date.now() + timeoutMs;
  let last: JobState | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await jobState(edgeUrl, jobId);
      if (done(last)) return last;
    } catch (e) {
      lastError = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`job ${jobId}: condition not met within ${timeoutMs} ms; last state ${JSON.stringify(last?.counts)} ${last?.status ?? ''} ${lastError ? String(lastError) : ''}`);
}

export const isSettled = (s: JobState): boolean => TERMINAL.has(s.status);

/** The synthesis service's `/status` (read directly, not through the proxy). */
export async function synthStatus(synthUrl: string): Promise<ServiceStatus> {
  const res = await fetch(`${synthUrl}/status`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`synth /status answered ${res.status}`);
  return (await res.json()) as ServiceStatus;
}

/** Synthesis requests per chunk of one job, as the proxy counted them (index → count). */
export function callsPerChunk(proxy: FaultProxy, jobId: string, total: number): number[] {
  const byChunk = proxy.counts().byChunk;
  return Array.from({ length: total }, (_, i) => byChunk[`${jobId}/${i}`] ?? 0);
}

/** Count of each value: calls per chunk → how many chunks needed that many calls. */
export function histogram(values: readonly number[]): Record<number, number> {
  const h: Record<number, number> = {};
  for (const v of values) h[v] = (h[v] ?? 0) + 1;
  return h;
}

/**
 * Samples a job's synthesis request count at the proxy every `everyMs`, so a
 * test can see when requests were sent (e.g. the probes of an open circuit).
 */
export function sampleCalls(proxy: FaultProxy, jobId: string, everyMs = 100): { stop(): { atMs: number; calls: number }[] } {
  const start = Date.now();
  const samples: { atMs: number; calls: number }[] = [];
  const take = () => samples.push({ atMs: Date.now() - start, calls: proxy.counts().byJob[jobId] ?? 0 });
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** Times (ms from the first sample) at which the count went up, one entry per request. */
export function requestTimes(samples: readonly { atMs: number; calls: number }[]): number[] {
  const times: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    for (let k = samples[i - 1]!.calls; k < samples[i]!.calls; k++) times.push(samples[i]!.atMs);
  }
  return times;
}

/** Sum of `attempts` over a job's chunks. */
export async function attemptsSum(edgeUrl: string, jobId: string): Promise<number> {
  return chunksOf(await jobState(edgeUrl, jobId, true)).reduce((n, c) => n + c.attempts, 0);
}
