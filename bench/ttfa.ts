// Issue 5 §7, "Time to first audio": from the request sent (POST /api/tts-stream
// with the 50,000-character benchmark text) to the first byte of the first
// chunk's audio (first `event: message`, then GET its url), against the pure
// synthesis time of that same chunk's text (as the job announced it; eSpeak in
// this process, median of three calls right after each run). Goal: TTFA within +150 ms of pure synthesis.
// After its first audio each job is deleted, and the next run waits until the
// synthesis service is idle, so runs do not overlap.
//
//   npm run bench -- ttfa             (BENCH_TTFA_RUNS=10 by default)
//   node bench/ttfa.ts

import { loadavg } from 'node:os';
import { benchSlice } from './compare/corpus.ts';
import { timeEngine } from './compare/engine.ts';
import { warmStack } from './compare/warm.ts';
import { deleteJob, streamJob, waitSynthIdle, type StreamedJob } from './compare/lector-client.ts';
import type { BenchRow } from './compare/report.ts';
import { benchSynthArgs, benchWorkers, startBenchStack } from './compare/setup.ts';
import { fixed, median, percentile } from './compare/stats.ts';

/** Calls of the engine on chunk 0 per run; their median is that run's pure synthesis time. */
const SYNTH_CALLS_PER_RUN = 3;
/** TTFA may exceed pure synthesis of the first chunk by at most this much. */
export const TTFA_GOAL_EXTRA_MS = 150;

interface TtfaRun {
  job: StreamedJob;
  synthMs: number;
  /** The same first-audio path for a job whose whole text is chunk 0 (no 50,000-char job to create, no chunks 1–3 beside it). */
  oneChunkJob: StreamedJob;
  /** POST /v1/audio/speech of chunk 0 straight to the synthesis service, to the last byte. */
  serviceMs: number;
  /** GET /api/health: one request through wrangler dev to the Worker and back. */
  healthMs: number;
  /** GET /api/tts/{jobId}: the Worker plus one RPC to the job's Durable Object. */
  stateMs: number;
}

/** Request → last byte of `url`. */
async function roundTrip(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return performance.now() - t0;
}

/** Request → last byte of chunk 0's WAV from the synthesis service, bypassing the edge. */
async function serviceLatency(synthUrl: string, text: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${synthUrl}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: text, voice: 'espeak:en-us', response_format: 'wav' }),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`synthesis service answered ${res.status}`);
  return performance.now() - t0;
}

export interface TtfaReport {
  rows: BenchRow[];
  runs: number;
  wallSeconds: number;
}

export async function benchTtfa(runs = Number(process.env.BENCH_TTFA_RUNS ?? 10)): Promise<TtfaReport> {
  const started = performance.now();
  const load0 = loadavg()[0]!;
  const { text } = benchSlice();
  let chunk0 = '';
  const workers = benchWorkers();
  const { stack, reloads } = await startBenchStack(workers);
  let discarded = 0;
  const results: TtfaRun[] = [];
  try {
    await warmStack(stack);
    // One uncounted run: the first long job of an isolate pays for JIT of the splitter and SQL paths.
    for (let i = -1; i < runs; i++) {
      const reloads0 = reloads();
      const job = await streamJob(stack.edgeUrl, text, { stopAfterFirstAudio: true });
      await deleteJob(stack.edgeUrl, job.jobId);
      await waitSynthIdle(stack.synthUrl);
      if (job.firstChunk.index !== 0) throw new Error(`first message was chunk ${job.firstChunk.index}, not 0`);
      chunk0 = job.firstChunk.text;
      const synth: number[] = [];
      for (let k = 0; k < SYNTH_CALLS_PER_RUN; k++) synth.push((await timeEngine(chunk0)).ms);
      const oneChunkJob = await streamJob(stack.edgeUrl, chunk0);
      const serviceMs = await serviceLatency(stack.synthUrl, chunk0);
      const healthMs = await roundTrip(`${stack.edgeUrl}/api/health`);
      const stateMs = await roundTrip(`${stack.edgeUrl}/api/tts/${oneChunkJob.jobId}`);
      if (reloads() !== reloads0) {
        // wrangler dev reloaded mid-run (a source file changed): the timings include a restart.
        discarded++;
        i--;
        if (discarded > runs) throw new Error('wrangler dev keeps reloading: source files are changing under the benchmark');
        continue;
      }
      if (i >= 0) results.push({ job, synthMs: median(synth), oneChunkJob, serviceMs, healthMs, stateMs });
    }
  } finally {
    await stack.stop();
  }
  const p = (f: (r: TtfaRun) => number, q = 50) => percentile(results.map(f), q);
  const ms = (n: number) => `${fixed(n, 0)} ms`;
  const diff = (r: TtfaRun) => r.job.firstAudioByteMs - r.synthMs;
  const diff50 = p(diff);
  const rows: BenchRow[] = [
    { figure: 'text', value: `50,000-char corpus slice; chunk 0 = ${chunk0.length} chars` },
    { figure: 'runs (discarded: wrangler dev reloaded mid-run)', value: `${results.length} (${discarded})` },
    { figure: 'synthesis workers (flags)', value: `${workers} (${benchSynthArgs(workers).join(' ')})` },
    { figure: 'TTFA p50 (POST → first byte of chunk 0)', value: ms(p((r) => r.job.firstAudioByteMs)) },
    { figure: 'TTFA p90', value: ms(p((r) => r.job.firstAudioByteMs, 90)) },
    { figure: 'pure synthesis of chunk 0, p50 (in-process eSpeak)', value: ms(p((r) => r.synthMs)) },
    { figure: 'difference p50 (TTFA − pure synthesis, per run)', value: `+${fixed(diff50, 0)} ms`, goal: `≤ +${TTFA_GOAL_EXTRA_MS} ms`, met: diff50 <= TTFA_GOAL_EXTRA_MS },
    { figure: 'difference p90', value: `+${fixed(p(diff, 90), 0)} ms` },
    { figure: '  p50 POST → event: job (job created, stream open)', value: ms(p((r) => r.job.jobEventMs)) },
    { figure: '  p50 event: job → first event: message', value: ms(p((r) => r.job.firstMessageMs - r.job.jobEventMs)) },
    { figure: '  p50 first event: message → first audio byte (GET chunk 0)', value: ms(p((r) => r.job.firstAudioByteMs - r.job.firstMessageMs)) },
    { figure: 'synthesis service alone, chunk 0 over HTTP, p50 (to last byte)', value: ms(p((r) => r.serviceMs)) },
    { figure: 'edge round trip, GET /api/health, p50', value: ms(p((r) => r.healthMs)) },
    { figure: 'edge round trip with one Durable Object RPC, GET /api/tts/{id}, p50', value: ms(p((r) => r.stateMs)) },
    { figure: 'TTFA p50 of a one-chunk job (text = chunk 0)', value: ms(p((r) => r.oneChunkJob.firstAudioByteMs)) },
    { figure: '  p50 POST → event: job', value: ms(p((r) => r.oneChunkJob.jobEventMs)) },
    { figure: '  p50 event: job → first event: message', value: ms(p((r) => r.oneChunkJob.firstMessageMs - r.oneChunkJob.jobEventMs)) },
    { figure: 'load average (1 min) before / after', value: `${fixed(load0, 2)} / ${fixed(loadavg()[0]!, 2)}` },
  ];
  return { rows, runs: results.length, wallSeconds: (performance.now() - started) / 1000 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printRows } = await import('./compare/report.ts');
  printRows((await benchTtfa()).rows);
}
