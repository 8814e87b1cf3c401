// Issue 6 §1: fault injection against the real local stack (synthesis service,
// fault proxy, wrangler dev) with one job cut from Pride and Prejudice. Every
// scenario ends with the job's audio compared byte for byte with eSpeak NG's
// direct synthesis of its chunks and the designed pauses.
//
//   npm run test:chaos                       ~60-chunk jobs, 10 s outage (the `npm test` size; f is in chaos-r2.test.ts)
//   LECTOR_CHAOS_FULL=1 npm run test:chaos   ~200-chunk jobs, 30 s outage
//
// Figures go to the output and to test-results/chaos.json (chaos-full.json for
// a full run); docs/chaos.md has the scenarios, what each asserts and the
// figures of a full run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobState } from '../../src/core/api/types.ts';
import { parseWav } from '../../src/core/audio/wav.ts';
import { expectedPcm, verifyJobAudio } from '../chaos/audio-check.ts';
import {
  attemptsSum,
  callsPerChunk,
  chunksOf,
  createJob,
  histogram,
  isSettled,
  jobState,
  requestTimes,
  sampleCalls,
  sleep,
  startChaosStack,
  synthStatus,
  waitForJob,
  type ChaosStack,
} from '../chaos/harness.ts';
import { RunReport, seconds } from '../chaos/report.ts';
import { cfg, expectCompletedExact, expectPlannedChunks, histogramOfErrors, JOB_OPTIONS, JOB_TIMEOUT_MS, jobSeconds, mean, settle, slice, waitForWorkers } from '../chaos/scenario.ts';
import { messageIndexes, openSse } from '../chaos/sse-session.ts';

/**
 * Chunks of each job, as the edge plans them (the first job's totalSentences).
 * About cfg.chunks: the slice is sized with planJobChunks over the whole text;
 * the edge splits long texts page by page, which may cut a chunk differently.
 */
let N = 0;
/** JOB_CONCURRENCY of the stack (the default): chunks in flight per job. */
const CONCURRENCY = 4;
/** RouterCounter's half-open delay: an open circuit lets one probe through this often. */
const HALF_OPEN_MS = 5_000;
/**
 * Scenario a: about how many workers die during the job (one every N / A_KILLS of its synthesis
 * requests). Each kill costs a cold replacement worker (docs/chaos.md, finding 1), so more kills
 * mostly measure that; 4 at 60 chunks still has a worker die with requests in flight several times.
 */
const A_KILLS = 4;

const report = new RunReport('chaos', { targetChunks: cfg.chunks, maxChunkChars: cfg.maxChunkChars, textChars: slice.text.length, full: cfg.full, outageMs: cfg.outageMs });
describe(`chaos: one ~${cfg.chunks}-chunk job per fault (issue 6 §1)`, () => {
  /** Default settings (JOB_MAX_ATTEMPTS=5); two engine workers. Scenarios a, b, c, d′, e. */
  let main: ChaosStack;
  /**
   * Scenario d's stack, JOB_MAX_ATTEMPTS=10: with the default 5 a 200-chunk job
   * is lost ~39% of the time at 30% faults (a chunk fails for good with
   * probability 0.3^5); with 10, ~0.1%. Its job runs in the background while
   * the other scenarios run (it mostly waits out hung requests), and the last
   * test collects it.
   */
  let faulty: ChaosStack;
  let faultyJob: { jobId: string; startedAt: number; settled: Promise<JobState> };

  beforeAll(async () => {
    // Both stacks start at once; scenario d's job (the longest, mostly waiting out hung requests) starts as soon as its stack is up.
    const started = await Promise.allSettled([
      startChaosStack({ synthArgs: ['--min-workers', '2', '--max-workers', '2'] }).then((s) => (main = s)),
      startChaosStack({ orchestratorVars: { JOB_MAX_ATTEMPTS: '10' } }).then(async (s) => {
        faulty = s;
        faulty.proxy.setPlan({ rate500: 0.1, rate429: 0.1, retryAfterSeconds: 1, rateHang: 0.1 });
        const startedAt = Date.now();
        const job = await createJob(faulty.edgeUrl, slice.text, JOB_OPTIONS);
        N = job.totalSentences;
        const settled = settle(faulty, job.jobId, (cfg.full ? 20 : 10) * 60_000);
        settled.catch(() => undefined); // awaited (and reported) by scenario d
        faultyJob = { jobId: job.jobId, startedAt, settled };
      }),
    ]);
    for (const r of started) if (r.status === 'rejected') throw r.reason;
  }, 240_000);
  afterAll(async () => {
    await Promise.all([main?.stop(), faulty?.stop()]);
  });

  it('baseline: the same job without faults completes, byte-exact', async () => {
    const started = Date.now();
    const job = await createJob(main.edgeUrl, slice.text, JOB_OPTIONS);
    expect(job.totalSentences).toBe(N);
    // The edge plans the slice with its maxChunkChars as planLikeJob did: N chunks of small text.
    expect(N).toBe(slice.chunks.length);
    const final = await settle(main, job.jobId);
    const durationMs = Date.now() - started;
    const calls = callsPerChunk(main.proxy, job.jobId, N);
    report.record('baseline', { chunks: N, status: final.status, durationS: seconds(durationMs), jobS: jobSeconds(final), synthCallsPerChunk: histogram(calls) });
    await expectCompletedExact(main, job.jobId, N);
  }, JOB_TIMEOUT_MS);

  it('a: kill -9 of a synthesis worker every k synthesis requests of the job: the job completes, byte-exact', async () => {
    const started = Date.now();
    const job = await createJob(main.edgeUrl, slice.text, JOB_OPTIONS);
    expect(job.totalSentences).toBe(N);
    // Faults tied to the job's progress, not the clock: before its k-th, 2k-th, ... synthesis request
    // reaches the service, a worker dies — one serving a request if there is one, as `kill -9` mid-work.
    const k = Math.max(1, Math.floor(N / A_KILLS));
    const kills: { atRequest: number; atMs: number; worker: string; busy: boolean }[] = [];
    let killPoints = 0;
    main.proxy.onSynthesis(async ({ job: id, jobRequests }) => {
      if (id !== job.jobId || jobRequests % k !== 0) return;
      killPoints++;
      const status = await synthStatus(main.stack.synthUrl).catch(() => undefined);
      const serving = (status?.workers ?? []).filter((w) => w.pid && (w.state === 'READY' || w.state === 'BUSY'));
      const busy = serving.filter((w) => w.inFlight > 0);
      const pool = busy.length > 0 ? busy : serving;
      const victim = pool[Math.floor(Math.random() * pool.length)];
      if (!victim?.pid) return;
      try {
        process.kill(victim.pid, 'SIGKILL');
        kills.push({ atRequest: jobRequests, atMs: Date.now() - started, worker: victim.id, busy: victim.inFlight > 0 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e; // gone between /status and the kill
      }
    });
    let final: JobState;
    try {
      // Past the deadline the figures still say how far it got (the test's own timeout leaves room for them).
      final = await waitForJob(main.edgeUrl, job.jobId, isSettled, JOB_TIMEOUT_MS).catch(() => jobState(main.edgeUrl, job.jobId));
    } finally {
      main.proxy.onSynthesis(undefined);
    }
    const durationMs = Date.now() - started;
    const chunks = chunksOf(await jobState(main.edgeUrl, job.jobId, true));
    const calls = callsPerChunk(main.proxy, job.jobId, N);
    const synth = await synthStatus(main.stack.synthUrl);
    report.record('a_kill_workers', {
      status: final.status,
      error: final.errorMessage,
      durationS: seconds(durationMs),
      killEveryRequests: k,
      killPoints,
      kills: kills.length,
      killsAtRequest: kills.map((x) => x.atRequest),
      killsWithRequestInFlight: kills.filter((k) => k.busy).length,
      completed: final.counts.completed,
      chunksPerSecond: Math.round((final.counts.completed / (durationMs / 1000)) * 100) / 100,
      synthCallsPerChunkMean: mean(calls),
      synthCallsPerChunkMax: Math.max(...calls),
      synthCallsPerChunk: histogram(calls),
      edgeAttemptsMax: Math.max(...chunks.map((c) => c.attempts)),
      serviceRetriedRequests: synth.metrics.retriedRequests,
      serviceFailedRequests: synth.metrics.failedRequests,
    });
    // Let the pool refill before the next scenario.
    await waitForWorkers(main, 2);
    // The job made N requests at least, so it passed N / k kill points; a kill finds no victim only
    // while every worker is being replaced.
    expect(killPoints).toBeGreaterThanOrEqual(Math.floor(N / k));
    expect(kills.length).toBeGreaterThan(0);
    expect(final.status, final.errorMessage ?? `${final.counts.completed} of ${N} chunks after ${seconds(durationMs)} s`).toBe('completed');
    await expectCompletedExact(main, job.jobId, N);
  }, JOB_TIMEOUT_MS + 120_000);

  it('e: a client that disconnects again and again while streaming does not affect the job', async () => {
    const started = Date.now();
    // The first connection creates the job (POST /api/tts-stream); each later one resumes with Last-Event-ID.
    const received: number[] = [];
    let jobId = '';
    let lastEventId: string | undefined;
    let connections = 0;
    let settled = false;
    while (!settled) {
      expect(connections, 'reconnections').toBeLessThan(N * 3);
      const keep = Math.floor(Math.random() * 4); // 0..3 chunk events, then hang up
      let got = 0;
      const session = connections === 0
        ? openSse(`${main.edgeUrl}/api/tts-stream`, { body: { text: slice.text, voiceId: 'espeak:en-us', ...JOB_OPTIONS }, onEvent: (ev) => ev.event === 'message' && ++got > keep })
        : openSse(`${main.edgeUrl}/api/tts/${jobId}/events`, { lastEventId, onEvent: (ev) => ev.event === 'message' && ++got > keep });
      connections++;
      if (connections === 1) jobId = (await session.response).headers.get('x-lector-job-id') ?? '';
      expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
      if (keep === 0 && connections % 2 === 0) {
        // Hang up before anything arrives, sometimes.
        await sleep(Math.random() * 50);
        session.abort();
      }
      const end = await session.done;
      expect(end.reason, String(end.error ?? '')).not.toBe('failed');
      const messages = messageIndexes(session.events);
      received.push(...messages);
      if (messages.length > 0) lastEventId = String(messages.at(-1));
      const terminal = session.events.find((e) => e.event === 'end' || e.event === 'error');
      if (terminal) {
        expect(terminal.event, terminal.data).toBe('end');
        settled = true;
      }
      await sleep(Math.random() * 300);
    }
    const durationMs = Date.now() - started;
    const calls = callsPerChunk(main.proxy, jobId, N);
    const duplicates = received.length - new Set(received).size;
    report.record('e_client_disconnects', {
      durationS: seconds(durationMs),
      jobS: jobSeconds(await jobState(main.edgeUrl, jobId)),
      connections,
      chunkEventsReceived: received.length,
      duplicateChunkEvents: duplicates,
      synthCallsTotal: calls.reduce((a, b) => a + b, 0),
      synthCallsPerChunk: histogram(calls),
    });
    // Every chunk event exactly once over all connections, in order.
    expect(received).toEqual(Array.from({ length: N }, (_, i) => i));
    await expectCompletedExact(main, jobId, N);
    // Unaffected: each chunk synthesized once, as without the disconnects.
    expect(calls.every((n) => n === 1)).toBe(true);
  }, JOB_TIMEOUT_MS);

  it("d′: 100% 400 after some chunks: the job fails with per-chunk errors; finished chunks stay downloadable", async () => {
    const job = await createJob(main.edgeUrl, slice.text, JOB_OPTIONS);
    const before = await waitForJob(main.edgeUrl, job.jobId, (s) => s.processedSentenceCount >= Math.ceil(N / 5) || isSettled(s), JOB_TIMEOUT_MS, 50);
    main.proxy.setPlan({ rate400: 1 }, job.jobId);
    const switchedAt = Date.now();
    const failed = await settle(main, job.jobId);
    expect(before.status).not.toBe('completed');
    expect(failed.status).toBe('failed');
    // Requests already sent before the switch may still complete their chunks: wait for them.
    await waitForJob(main.edgeUrl, job.jobId, (s) => s.counts.processing === 0, 60_000);
    expect(failed.errorMessage).toMatch(/^chunk \d+ failed: .*status 400/);
    const state = await jobState(main.edgeUrl, job.jobId, true);
    const chunks = expectPlannedChunks(state, N);
    const bad = chunks.filter((c) => c.status === 'failed');
    const good = chunks.filter((c) => c.status === 'completed');
    expect(bad.length).toBeGreaterThanOrEqual(1);
    expect(good.length).toBeGreaterThanOrEqual(before.processedSentenceCount);
    const calls = callsPerChunk(main.proxy, job.jobId, N);
    for (const c of bad) {
      // Clear error: the status, the provider's message; not retried.
      expect(c.lastError).toMatch(/status 400/);
      expect(c.lastError).toContain('injected permanent failure');
      expect(c.attempts).toBe(1);
      expect(calls[c.index]).toBe(1);
    }
    // No more calls once failed: 400s are not retried and the other chunks stop.
    const callsAtFail = main.proxy.counts().byJob[job.jobId];
    await sleep(2_000);
    expect(main.proxy.counts().byJob[job.jobId]).toBe(callsAtFail);
    // Finished chunks: each one downloadable and exact; the finished prefix as one WAV, exact.
    for (const c of good) {
      const res = await fetch(`${main.edgeUrl}/api/tts/${job.jobId}/chunks/${c.index}`);
      expect(res.status).toBe(200);
      const pcm = Buffer.from(parseWav(new Uint8Array(await res.arrayBuffer())).pcm);
      expect(pcm.equals(await expectedPcm([{ text: c.text, paragraphStart: false }]))).toBe(true);
    }
    const notDone = await fetch(`${main.edgeUrl}/api/tts/${job.jobId}/chunks/${bad[0]!.index}`);
    expect(notDone.status).toBe(404);
    expect(((await notDone.json()) as { error: { code: string } }).error.code).toBe('chunk_not_ready');
    expect((await fetch(`${main.edgeUrl}/api/tts/${job.jobId}/audio`)).status).toBe(409);
    let prefix = 0;
    while (prefix < N && chunks[prefix]!.status === 'completed') prefix++;
    const partial = await verifyJobAudio(main.edgeUrl, job.jobId, chunks, true);
    expect(partial.chunks).toBe(prefix);
    // The event stream replays the finished chunks, then says why the job failed.
    const replay = openSse(`${main.edgeUrl}/api/tts/${job.jobId}/events`);
    await replay.done;
    expect(messageIndexes(replay.events)).toEqual(Array.from({ length: prefix }, (_, i) => i));
    const error = replay.events.at(-1)!;
    expect(error.event).toBe('error');
    expect(JSON.parse(error.data)).toMatchObject({ code: 'job_failed' });
    report.record('d_prime_permanent_400', {
      completedBeforeSwitch: before.processedSentenceCount,
      completed: good.length,
      completedAfterJobFailed: good.length - failed.processedSentenceCount,
      failedChunks: bad.length,
      pendingLeft: state.counts.pending,
      downloadablePrefix: prefix,
      failSecondsAfterSwitch: seconds(failed.updatedAt - switchedAt),
      jobError: failed.errorMessage,
    });
  }, JOB_TIMEOUT_MS);

  it('c: wrangler dev restarted mid-job: resumes from its alarm, no finished chunk synthesized again, SSE resumes with Last-Event-ID', async () => {
    const started = Date.now();
    const job = await createJob(main.edgeUrl, slice.text, JOB_OPTIONS);
    const first = openSse(`${main.edgeUrl}/api/tts/${job.jobId}/events`);
    await waitForJob(main.edgeUrl, job.jobId, (s) => s.processedSentenceCount >= Math.ceil(N / 3), JOB_TIMEOUT_MS, 50);
    const snapshot = chunksOf(await jobState(main.edgeUrl, job.jobId, true));
    const doneBefore = snapshot.filter((c) => c.status === 'completed').map((c) => c.index);
    const restartAt = Date.now();
    await main.stack.restartEdge();
    const restartMs = Date.now() - restartAt;
    const firstEnd = await first.done;
    expect(firstEnd.reason).not.toBe('settled'); // the restart cut it mid-job
    // Nobody touches the job now: only its alarm can bring it back.
    const callsAtRestart = main.proxy.counts().byJob[job.jobId] ?? 0;
    const alarmDeadline = Date.now() + 60_000;
    while ((main.proxy.counts().byJob[job.jobId] ?? 0) === callsAtRestart && Date.now() < alarmDeadline) await sleep(50);
    const firstAlarmCallMs = Date.now() - restartAt - restartMs;
    const callsByAlarm = (main.proxy.counts().byJob[job.jobId] ?? 0) - callsAtRestart;
    const lastEventId = first.events.filter((e) => e.event === 'message').at(-1)?.id;
    const second = openSse(`${main.edgeUrl}/api/tts/${job.jobId}/events`, { lastEventId });
    const secondEnd = await second.done;
    const received = [...messageIndexes(first.events), ...messageIndexes(second.events)];
    const durationMs = Date.now() - started;
    const calls = callsPerChunk(main.proxy, job.jobId, N);
    const doneAgain = doneBefore.filter((i) => calls[i] !== 1);
    const repeated = calls.filter((n) => n > 1).length;
    report.record('c_edge_restart', {
      durationS: seconds(durationMs),
      restartS: seconds(restartMs),
      completedBeforeRestart: doneBefore.length,
      firstStreamEvents: messageIndexes(first.events).length,
      secondStreamEvents: messageIndexes(second.events).length,
      duplicateChunkEvents: received.length - new Set(received).size,
      firstCallByAlarmAfterRestartS: seconds(firstAlarmCallMs),
      completedSynthesizedAgain: doneAgain.length,
      chunksSynthesizedTwice: repeated,
      synthCallsPerChunk: histogram(calls),
    });
    expect(callsByAlarm, 'synthesis requests after the restart with no client (within 60 s)').toBeGreaterThan(0);
    expect(secondEnd.reason).toBe('settled');
    expect(second.events.at(-1)?.event).toBe('end');
    expect(received).toEqual(Array.from({ length: N }, (_, i) => i));
    await expectCompletedExact(main, job.jobId, N);
    expect(doneAgain, 'completed chunks synthesized again').toEqual([]);
    // Only what was in flight when wrangler stopped may be synthesized twice.
    expect(repeated).toBeLessThanOrEqual(CONCURRENCY);
  }, JOB_TIMEOUT_MS);

  it(`b: synthesis service down for ${cfg.outageMs / 1000} s mid-job (same port): the job pauses without a retry storm or spent attempts, resumes promptly and completes`, async () => {
    const started = Date.now();
    const job = await createJob(main.edgeUrl, slice.text, JOB_OPTIONS);
    await waitForJob(main.edgeUrl, job.jobId, (s) => s.processedSentenceCount >= Math.ceil(N / 4), JOB_TIMEOUT_MS, 50);
    const callsAtStop = main.proxy.counts().byJob[job.jobId] ?? 0;
    await main.stack.stopSynth();
    const down = Date.now();
    const callsWhileStopping = (main.proxy.counts().byJob[job.jobId] ?? 0) - callsAtStop;
    const sampler = sampleCalls(main.proxy, job.jobId);
    // By now the chunks in flight have failed and the job (or the circuit) holds back.
    await sleep(HALF_OPEN_MS);
    const open = await jobState(main.edgeUrl, job.jobId, true);
    const attemptsHeld = chunksOf(open).reduce((n, c) => n + c.attempts, 0);
    await sleep(Math.max(0, cfg.outageMs - (Date.now() - down)));
    const attemptsEnd = await attemptsSum(main.edgeUrl, job.jobId);
    const duringOutage = await jobState(main.edgeUrl, job.jobId);
    const samples = sampler.stop();
    const outageCalls = samples.at(-1)!.calls - samples[0]!.calls;
    const times = requestTimes(samples);
    await main.stack.startSynth();
    const back = Date.now();
    const stalled = duringOutage.processedSentenceCount;
    const resumed = await waitForJob(main.edgeUrl, job.jobId, (s) => s.processedSentenceCount > stalled || isSettled(s), JOB_TIMEOUT_MS, 100);
    const firstChunkAfterMs = Date.now() - back;
    const final = await settle(main, job.jobId);
    const finishedAfterMs = Date.now() - back;
    const chunks = chunksOf(await jobState(main.edgeUrl, job.jobId, true));
    const calls = callsPerChunk(main.proxy, job.jobId, N);
    report.record('b_synth_outage', {
      outageS: seconds(cfg.outageMs),
      status: final.status,
      error: final.errorMessage,
      requestsWhileStopping: callsWhileStopping,
      requestsDuringOutage: outageCalls,
      requestTimesDuringOutageS: times.map(seconds),
      completedDuringOutage: stalled - open.processedSentenceCount,
      attemptsSpentWhileDown: attemptsEnd - attemptsHeld,
      edgeAttemptsMax: Math.max(...chunks.map((c) => c.attempts)),
      firstChunkAfterRestartS: seconds(firstChunkAfterMs),
      finishedAfterRestartS: seconds(finishedAfterMs),
      durationS: seconds(Date.now() - started),
      synthCallsPerChunk: histogram(calls),
    });
    expect(stalled - open.processedSentenceCount, 'chunks completed while the service was down').toBe(0);
    expect(resumed.processedSentenceCount).toBeGreaterThan(stalled);
    // No retry storm: a few failures per chunk in flight, then at most one probe per half-open period.
    expect.soft(outageCalls, 'requests sent to the stopped service').toBeLessThanOrEqual(2 * CONCURRENCY + Math.ceil(cfg.outageMs / HALF_OPEN_MS) + 1);
    // The job finishes what it started, byte-exact.
    expect(final.status, final.errorMessage ?? '').toBe('completed');
    await expectCompletedExact(main, job.jobId, N);
    // While the service is down, chunks wait without spending attempts (probes included). The sum may
    // fall: a chunk leased when the first sample was read gets its attempt back once it waits.
    expect.soft(attemptsEnd - attemptsHeld, 'attempts spent from 5 s into the outage to its end').toBeLessThanOrEqual(0);
    // How soon it resumes (about one half-open probe period) is a reported figure, firstChunkAfterRestartS:
    // a bound on it would flake on a loaded machine.
  }, JOB_TIMEOUT_MS + cfg.outageMs);

  it('d: 30% of synthesis responses are 500, 429 + Retry-After or hangs (JOB_MAX_ATTEMPTS=10): the job completes, byte-exact', async () => {
    const final = await faultyJob.settled;
    const durationMs = Date.now() - faultyJob.startedAt;
    const state = await jobState(faulty.edgeUrl, faultyJob.jobId, true);
    const chunks = chunksOf(state);
    const calls = callsPerChunk(faulty.proxy, faultyJob.jobId, N);
    const attempts = chunks.map((c) => c.attempts);
    report.record('d_30pct_faults', {
      status: final.status,
      error: final.errorMessage,
      jobS: jobSeconds(final),
      collectedAfterS: seconds(durationMs),
      synthCalls: calls.reduce((a, b) => a + b, 0),
      synthCallsPerChunkMean: mean(calls),
      synthCallsPerChunk: histogram(calls),
      edgeAttemptsMax: Math.max(...attempts),
      chunksRetried: attempts.filter((a) => a > 1).length,
      lastErrorKinds: histogramOfErrors(chunks),
    });
    expect(final.status, final.errorMessage ?? '').toBe('completed');
    await expectCompletedExact(faulty, faultyJob.jobId, N);
  }, (cfg.full ? 20 : 10) * 60_000);
});
