// Issue 6 §4: load. 20 clients each keep one job of mixed size in flight
// (closed loop: a client submits its next job when the last one ends), while
// 10 requests per second go straight to the synthesis service. Zero failures:
// every job completes with byte-exact audio, every direct request answers 200
// with eSpeak NG's exact PCM. No job starves: completion times are reported
// against job sizes.
//
//   npx vitest run --project e2e test/e2e/load.test.ts                    short (15 s of submissions)
//   LECTOR_LOAD_FULL=1 npx vitest run --project e2e test/e2e/load.test.ts  3 minutes
//
// Figures go to the output and to test-results/load.json (docs/chaos.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../scripts/stack/stack.ts';
import { parseWav } from '../../src/core/audio/wav.ts';
import type { ChunkEventData } from '../../src/core/api/types.ts';
import { synthesizeEspeakPcm } from '../../src/synth/engines/espeak-direct.ts';
import { verifyJobAudio } from '../chaos/audio-check.ts';
import { loadConfig } from '../chaos/config.ts';
import { corpusSlice, type CorpusSlice } from '../chaos/corpus.ts';
import { chunksOf, jobState, synthStatus } from '../chaos/harness.ts';
import { formatTable, quantile, RunReport, seconds } from '../chaos/report.ts';
import { openSse } from '../chaos/sse-session.ts';

const lc = loadConfig();
const report = new RunReport('load', {
  full: lc.full,
  durationS: lc.durationMs / 1000,
  concurrentJobs: lc.concurrentJobs,
  directRps: lc.directRps,
  sizes: lc.sizes,
  maxChunkChars: lc.maxChunkChars,
});

/** One slice per size, from different places in the novel (their expected audio is computed once). */
const slices = new Map<number, CorpusSlice>(lc.sizes.map((size, i) => [size, corpusSlice(size, 40 + i * 150, lc.maxChunkChars)]));

/** Short sentences for the direct requests, with the PCM eSpeak NG makes of each. */
const DIRECT_TEXTS = ['It is a truth universally acknowledged.', 'Mr. Bennet was among the earliest of those who waited on Mr. Bingley.', 'Elizabeth listened in silence.', 'Not all that Mrs. Bennet could say was sufficient.', 'The evening altogether passed off pleasantly.'];

interface JobRun {
  client: number;
  size: number;
  jobId: string;
  submittedAt: number;
  /** ms from submission to the first chunk event, and to `end`. */
  firstChunkMs: number | null;
  completedMs: number | null;
  outcome: string;
}

interface DirectRun {
  status: number;
  ms: number;
  exact: boolean;
}

describe(`load: ${lc.concurrentJobs} concurrent jobs of ${lc.sizes.join('/')} chunks + ${lc.directRps} direct synthesis requests/s for ${lc.durationMs / 1000} s (issue 6 §4)`, () => {
  let stack: Stack;
  const directPcm = new Map<string, Buffer>();

  beforeAll(async () => {
    stack = await startStack({ synthArgs: ['--min-workers', '2'] });
    for (const text of DIRECT_TEXTS) directPcm.set(text, Buffer.from((await synthesizeEspeakPcm(text, 'en-us')).pcm));
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  /** Runs one job through POST /api/tts-stream and times its first chunk and its end. */
  async function runJob(client: number, size: number): Promise<JobRun> {
    const slice = slices.get(size)!;
    const submittedAt = Date.now();
    const run: JobRun = { client, size, jobId: '', submittedAt, firstChunkMs: null, completedMs: null, outcome: 'open' };
    const session = openSse(`${stack.edgeUrl}/api/tts-stream`, {
      body: { text: slice.text, voiceId: 'espeak:en-us', maxChunkChars: lc.maxChunkChars },
      onEvent: (ev) => {
        if (ev.event === 'message' && run.firstChunkMs === null) run.firstChunkMs = Date.now() - submittedAt;
        if (ev.event === 'end') run.completedMs = Date.now() - submittedAt;
      },
    });
    const res = await session.response;
    run.jobId = res.headers.get('x-lector-job-id') ?? '';
    const done = await session.done;
    const terminal = session.events.find((e) => e.event === 'end' || e.event === 'error');
    run.outcome = terminal ? terminal.event + (terminal.event === 'error' ? `: ${terminal.data}` : '') : `stream ${done.reason} ${String(done.error ?? '')}`;
    if (terminal?.event === 'end') {
      const indexes = session.events.filter((e) => e.event === 'message').map((e) => (JSON.parse(e.data) as ChunkEventData).index);
      if (indexes.length !== slice.chunks.length) run.outcome = `end after ${indexes.length} of ${slice.chunks.length} chunk events`;
    }
    return run;
  }

  it('every job completes byte-exact, every direct request succeeds, and no job starves', async () => {
    const started = Date.now();
    const deadline = started + lc.durationMs;
    const jobs: JobRun[] = [];
    const direct: DirectRun[] = [];
    // A fixed number of direct requests, one per tick: on a busy machine the ticks come late, and the
    // submission window stays open until the last one is sent (a count, not the clock, ends it).
    const plannedDirect = Math.round((lc.durationMs / 1000) * lc.directRps);
    const windowOpen = () => Date.now() < deadline || direct.length < plannedDirect;

    // Direct traffic: open loop at directRps until every planned request is sent.
    const directDone: Promise<void>[] = [];
    const ticker = setInterval(() => {
      if (direct.length >= plannedDirect) return;
      const text = DIRECT_TEXTS[direct.length % DIRECT_TEXTS.length]!;
      const t0 = Date.now();
      const entry: DirectRun = { status: 0, ms: 0, exact: false };
      direct.push(entry);
      directDone.push(
        (async () => {
          try {
            const res = await fetch(`${stack.synthUrl}/v1/audio/speech`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ input: text, voice: 'espeak:en-us', response_format: 'wav' }),
              signal: AbortSignal.timeout(60_000),
            });
            const body = new Uint8Array(await res.arrayBuffer());
            entry.status = res.status;
            entry.exact = res.ok && Buffer.from(parseWav(body).pcm).equals(directPcm.get(text)!);
          } catch (e) {
            entry.status = -1;
            console.warn('direct request failed', String(e));
          }
          entry.ms = Date.now() - t0;
        })(),
      );
    }, 1000 / lc.directRps);

    // Clients: closed loop, sizes rotating so every size runs next to every other.
    const clients = Array.from({ length: lc.concurrentJobs }, async (_, client) => {
      for (let k = 0; windowOpen(); k++) {
        const size = lc.sizes[(client + k) % lc.sizes.length]!;
        jobs.push(await runJob(client, size));
      }
    });
    try {
      await Promise.all(clients);
    } finally {
      clearInterval(ticker);
    }
    await Promise.all(directDone);
    const wallMs = Date.now() - started;

    // The table: completion time against job size.
    const rows = lc.sizes.map((size) => {
      const of = jobs.filter((j) => j.size === size && j.completedMs !== null);
      const done = of.map((j) => j.completedMs!).sort((a, b) => a - b);
      const first = of.map((j) => j.firstChunkMs!).sort((a, b) => a - b);
      return {
        size,
        jobs: of.length,
        completionMinS: seconds(done[0] ?? NaN),
        completionMedianS: seconds(quantile(done, 0.5)),
        completionP95S: seconds(quantile(done, 0.95)),
        completionMaxS: seconds(done.at(-1) ?? NaN),
        firstChunkMedianS: seconds(quantile(first, 0.5)),
        firstChunkMaxS: seconds(first.at(-1) ?? NaN),
        msPerChunkMedian: Math.round(quantile(done, 0.5) / size),
      };
    });
    console.log(
      `\nload: ${jobs.length} jobs, ${jobs.reduce((n, j) => n + j.size, 0)} chunks, ${direct.length} direct requests in ${seconds(wallMs)} s\n` +
        formatTable(
          ['chunks', 'jobs', 'min s', 'median s', 'p95 s', 'max s', 'first chunk median s', 'first chunk max s', 'median ms/chunk'],
          rows.map((r) => [r.size, r.jobs, r.completionMinS, r.completionMedianS, r.completionP95S, r.completionMaxS, r.firstChunkMedianS, r.firstChunkMaxS, r.msPerChunkMedian]),
        ) + '\n',
    );
    const directMs = direct.map((d) => d.ms).sort((a, b) => a - b);
    const synth = await synthStatus(stack.synthUrl);
    const failedJobs = jobs.filter((j) => j.outcome !== 'end');
    const failedDirect = direct.filter((d) => d.status !== 200 || !d.exact);
    report.record('load', {
      wallS: seconds(wallMs),
      jobs: jobs.length,
      chunks: jobs.reduce((n, j) => n + j.size, 0),
      failedJobs: failedJobs.length,
      directRequests: direct.length,
      directFailed: failedDirect.length,
      directMedianMs: quantile(directMs, 0.5),
      directP95Ms: quantile(directMs, 0.95),
      directMaxMs: directMs.at(-1) ?? 0,
      serviceRequests: synth.metrics.totalRequests,
      serviceFailedRequests: synth.metrics.failedRequests,
      serviceP95LatencyMs: Math.round(synth.metrics.p95Latency),
      bySize: rows,
    });

    expect(failedJobs.map((j) => `${j.size} chunks (${j.jobId}): ${j.outcome}`)).toEqual([]);
    expect(failedDirect.length, `direct requests failed: ${JSON.stringify(failedDirect.slice(0, 5))}`).toBe(0);
    expect(direct.length).toBe(plannedDirect);
    expect(new Set(jobs.map((j) => j.size)).size).toBe(lc.sizes.length);

    // Every job completed with exact audio; how many chunks the edge had to retry is reported.
    let retried = 0;
    for (const j of jobs) {
      const state = await jobState(stack.edgeUrl, j.jobId, true);
      expect(state.status).toBe('completed');
      const chunks = chunksOf(state);
      retried += chunks.filter((c) => c.attempts > 1).length;
      await verifyJobAudio(stack.edgeUrl, j.jobId, chunks);
    }
    report.record('load_edge', { chunksRetriedByEdge: retried });

    // No starvation: within each size, the slowest job takes at most 3x the median
    // (plus a few seconds of slack for the smallest), and every job got its first audio.
    for (const r of rows) {
      expect(r.completionMaxS, `slowest ${r.size}-chunk job against the median`).toBeLessThanOrEqual(3 * r.completionMedianS + 5);
    }
    expect(jobs.every((j) => j.firstChunkMs !== null)).toBe(true);
  }, lc.full ? 20 * 60_000 : 5 * 60_000);
});
