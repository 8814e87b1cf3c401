// TtsJobDurableObject inside workerd: the RPC methods, leases, idempotent
// marks, exact counts under concurrency, eviction, and alarms driving a job
// through the real backend Worker and synthesis service.
import { env } from 'cloudflare:workers';
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { type Result, unwrap } from '../../../core/result.ts';
import type { InitializedJob, InitializeJobParams, TtsJobDurableObject } from './TtsJobDurableObject.ts';
import type { FaultPlan } from '../../../../test/support/fault-proxy.ts';
import { driveToEnd } from '../../test/job-end.ts';

function stubFor(jobId: string): DurableObjectStub<TtsJobDurableObject> {
  return env.TTS_JOB_DO.get(env.TTS_JOB_DO.idFromName(jobId));
}

type AsyncMethod = (...args: never[]) => Promise<unknown>;
type Gated<K extends string> = Record<K, AsyncMethod>;

/** Replaces `target(instance)[method]` in the job's object with `wrap(the real method)`. */
async function patchMethod<K extends string>(stub: DurableObjectStub<TtsJobDurableObject>, target: (instance: TtsJobDurableObject) => Gated<K>, method: K, wrap: (real: AsyncMethod) => AsyncMethod): Promise<void> {
  await runInDurableObject(stub, (instance) => {
    const obj = target(instance);
    obj[method] = wrap(obj[method].bind(obj));
  });
}

/** A promise that settles when its `open` is called: tests tie the order of events to progress, not the clock. */
function gate(): { passed: Promise<void>; open: () => void } {
  let open!: () => void;
  const passed = new Promise<void>((r) => (open = r));
  return { passed, open };
}

/** Holds every call of `target(instance)[method]` in the job's object until the returned function is called. */
async function holdCalls<K extends string>(stub: DurableObjectStub<TtsJobDurableObject>, target: (instance: TtsJobDurableObject) => Gated<K>, method: K): Promise<() => void> {
  const g = gate();
  await patchMethod(stub, target, method, (real) => async (...args) => (await g.passed, real(...args)));
  return g.open;
}

// Three paragraphs, so three chunks whatever the merge target.
const THREE = 'Hello there.\n\nThis is Lector speaking.\n\nGoodbye for now.';

async function init(text = THREE, extra: Partial<InitializeJobParams> = {}, beforeInit?: (jobId: string) => Promise<void>, pauseAfter?: number) {
  const jobId = crypto.randomUUID();
  const stub = stubFor(jobId);
  await beforeInit?.(jobId);
  if (pauseAfter !== undefined) await pauseDispatchAfter(stub, pauseAfter);
  const res = (await stub.initializeJob({ jobId, text, voiceId: 'espeak:en-us', splittingPreference: 'sentence', growChars: 0, ...extra })) as Result<InitializedJob>;
  return { jobId, stub, init: unwrap(res) };
}

interface Internals {
  events: { subscribe(l: { chunkCompleted?(): void }): () => void };
  dispatcher: { hold: { holdUntil: number; consecutiveFailures: number; outageSince: number } };
}

/**
 * Ties a fault to the job's progress, not the clock: a JobEvents listener holds all new dispatch
 * once `k` chunks completed, so at most k + concurrency - 1 chunks finish before the test acts.
 */
async function pauseDispatchAfter(stub: DurableObjectStub<TtsJobDurableObject>, k: number): Promise<void> {
  await runInDurableObject(stub, (instance) => {
    const inst = instance as unknown as Internals;
    let done = 0;
    inst.events.subscribe({
      chunkCompleted: () => {
        if (++done === k) inst.dispatcher.hold = { ...inst.dispatcher.hold, holdUntil: Number.MAX_SAFE_INTEGER };
      },
    });
  });
}

/** Waits until the paused job has `k` completions and nothing in flight, then evicts it (its memory, and the pause, go). */
async function evictMidJob(stub: DurableObjectStub<TtsJobDurableObject>, k: number) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = (await stub.getJobState())!;
    if (s.processedSentenceCount >= k && s.counts.processing === 0) {
      expect(s.status).toBe('processing');
      // A real hold ends within 5 s and the alarm is set for its end; this one never ends, so the
      // test sets that alarm itself (in a second: it fires on the new instance, after the eviction).
      await runInDurableObject(stub, (_i, st) => st.storage.setAlarm(Date.now() + 1_000));
      await evictDurableObject(stub);
      return s;
    }
    if (Date.now() > deadline) throw new Error(`job did not reach ${k} completions: ${JSON.stringify(s.counts)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('initializeJob', () => {
  it('splits the text into one row per chunk and reports the timeout', async () => {
    const { stub, init: job } = await init();
    // The first chunks are dispatched from the creating call itself (issue 12), not at the first alarm.
    expect(['initialized', 'processing']).toContain(job.status);
    expect(job.totalSentences).toBeGreaterThanOrEqual(1);
    expect(job.overallOrchestratorTimeoutMs).toBeGreaterThan(0);
    const state = await stub.getJobState(true);
    expect(state?.totalSentences).toBe(job.totalSentences);
    expect(state?.overallOrchestratorTimeoutMs).toBe(job.overallOrchestratorTimeoutMs);
    expect(state?.chunks?.map((c) => c.text).join('\n\n')).toBe(THREE);
    const rows = await runInDurableObject(stub, (_i, s) => s.storage.sql.exec('SELECT COUNT(*) AS n FROM chunk').one().n);
    expect(rows).toBe(job.totalSentences);
  });

  it('refuses to initialize the same job twice', async () => {
    const { jobId, stub } = await init();
    const again = (await stub.initializeJob({ jobId, text: 'Other.', voiceId: 'espeak:en-us', splittingPreference: 'sentence' })) as Result<InitializedJob>;
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe('job_exists');
  });
});

/** Stores a chunk's audio the way the backend does, so a seed mark may complete it. */
async function putAudio(jobId: string, index: number, bytes = 10): Promise<string> {
  const key = `tts_audio/${jobId}/${index}.wav`;
  await env.TTS_AUDIO_BUCKET.put(key, new Uint8Array(bytes), { httpMetadata: { contentType: 'audio/wav' } });
  return key;
}

describe('leases and marks', () => {
  it('hands out each chunk once, then re-dispatches an expired lease', async () => {
    // No alarm: the test drives leases by hand.
    const { stub } = await init(THREE, { autoStart: false });
    const first = await stub.getNextSentencesToProcess(10);
    expect(first.map((l) => l.index)).toEqual([0, 1, 2]);
    expect(await stub.getNextSentenceToProcess()).toEqual({ done: true });
    // Expire lease of chunk 1.
    await runInDurableObject(stub, (_i, s) => {
      s.storage.sql.exec('UPDATE chunk SET lease_expires_at = 0 WHERE idx = 1');
    });
    const again = await stub.getNextSentenceToProcess();
    expect(again).toMatchObject({ done: false, index: 1, attempt: 2 });
    const state = await stub.getJobState();
    expect(state?.status).toBe('processing');
    expect(state?.currentSentenceIndex).toBe(3);
  });

  it('marks idempotently: a second mark neither double-counts nor changes the audio', async () => {
    const { jobId, stub } = await init(THREE, { autoStart: false });
    await stub.getNextSentencesToProcess(3);
    const k0 = await putAudio(jobId, 0, 10);
    const other = await putAudio(jobId, 1, 99);
    const a = await stub.markSentenceAsProcessed(0, { r2Key: k0, mimeType: 'audio/wav', bytes: 10, durationMs: 5 });
    const b = await stub.markSentenceAsProcessed(0, { r2Key: other, mimeType: 'audio/mpeg', bytes: 99, durationMs: 9 });
    expect(a.changed).toBe(true);
    expect(b.changed).toBe(false);
    const meta = await stub.getAudioChunkMetadata(0);
    expect(meta.ok && meta.value.r2Key).toBe(k0);
    expect((await stub.getJobState())?.processedSentenceCount).toBe(1);
  });

  it('a seed mark never completes a chunk without its audio in R2 under the job', async () => {
    const { jobId, stub } = await init(THREE, { autoStart: false });
    await stub.getNextSentencesToProcess(3);
    const missing = await stub.markSentenceAsProcessed(0, { r2Key: `tts_audio/${jobId}/0.wav`, mimeType: 'audio/wav', bytes: 10, durationMs: 5 });
    expect(missing.changed).toBe(false);
    const otherJob = crypto.randomUUID();
    const foreign = await putAudio(otherJob, 0);
    expect((await stub.markSentenceAsProcessed(0, { r2Key: foreign, mimeType: 'audio/wav', bytes: 10, durationMs: 5 })).changed).toBe(false);
    expect((await stub.getJobState())?.counts.completed).toBe(0);
    // With the object stored, the mark counts, with R2's byte count rather than the caller's.
    const key = await putAudio(jobId, 0, 44);
    expect((await stub.markSentenceAsProcessed(0, { r2Key: key, mimeType: 'audio/wav', bytes: 1, durationMs: 5 })).changed).toBe(true);
    const meta = await stub.getAudioChunkMetadata(0);
    expect(meta.ok && meta.value.bytes).toBe(44);
  });

  it('keeps counts exact under 50 concurrent RPC calls', async () => {
    const text = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} is here.`).join('\n\n');
    const { jobId, stub, init: job } = await init(text, { autoStart: false });
    expect(job.totalSentences).toBe(60);
    const leases = await Promise.all(Array.from({ length: 50 }, () => stub.getNextSentenceToProcess()));
    const indexes = leases.map((l) => l.index);
    expect(new Set(indexes).size).toBe(50);
    const keys = await Promise.all(indexes.map((i) => putAudio(jobId, i!, 1)));
    const marks = await Promise.all(
      [...indexes, ...indexes].map((i, n) => stub.markSentenceAsProcessed(i!, { r2Key: keys[n % 50]!, mimeType: 'audio/wav', bytes: 1, durationMs: 1 })),
    );
    expect(marks.filter((m) => m.changed).length).toBe(50);
    const state = await stub.getJobState();
    expect(state?.processedSentenceCount).toBe(50);
    expect(state?.currentSentenceIndex).toBe(50);
    expect(state?.counts).toEqual({ pending: 10, processing: 0, completed: 50, failed: 0 });
  });

  it('updateJobStatus fails a sentence and the job, keeping completed chunks', async () => {
    const { jobId, stub } = await init(THREE, { autoStart: false });
    await stub.getNextSentencesToProcess(3);
    await stub.markSentenceAsProcessed(0, { r2Key: await putAudio(jobId, 0), mimeType: 'audio/wav', bytes: 1, durationMs: 1 });
    const state = await stub.updateJobStatus({ sentenceIndexToFail: 1, errorMessage: 'boom' });
    expect(state?.status).toBe('failed');
    expect(state?.errorMessage).toContain('boom');
    const meta = await stub.getAudioChunkMetadata(0);
    expect(meta.ok && meta.value.status).toBe('completed');
  });
});

async function setFaults(jobId: string, plan: FaultPlan): Promise<void> {
  const res = await fetch(`${inject('faultProxyUrl')}/__faults`, { method: 'POST', body: JSON.stringify({ jobId, plan }) });
  expect(res.status).toBe(204);
}

async function proxyCounts(): Promise<{ total: number; byJob: Record<string, number>; byChunk: Record<string, number> }> {
  return (await fetch(`${inject('faultProxyUrl')}/__counts`)).json();
}

describe('durable execution', () => {
  it('alarms drive a job through the real backend and synthesis service to completion, audio in R2', async () => {
    const { jobId, stub } = await init();
    const state = await driveToEnd(stub);
    expect(state?.status).toBe('completed');
    expect(state?.processedSentenceCount).toBe(3);
    for (let i = 0; i < 3; i++) {
      const obj = await env.TTS_AUDIO_BUCKET.get(`tts_audio/${jobId}/${i}.wav`);
      expect(obj?.httpMetadata?.contentType).toBe('audio/wav');
      expect(obj?.customMetadata?.jobId).toBe(jobId);
      const bytes = new Uint8Array(await obj!.arrayBuffer());
      expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('RIFF');
    }
  });

  it('grows chunks after the ramp (issue 12): fewer, larger chunks spanning paragraphs, every word kept, audio in R2', async () => {
    const paragraphs = Array.from({ length: 30 }, (_, p) => Array.from({ length: 3 }, (_, i) => `Paragraph ${p} says thing ${i}.`).join(' '));
    const text = paragraphs.join('\n\n');
    const { jobId, stub, init: job } = await init(text, { growChars: undefined });
    // 90 sentences in 30 paragraphs: 3 one-sentence chunks, then 250, 500, 1,000-character chunks.
    expect(job.totalSentences).toBeLessThan(12);
    const state = await driveToEnd(stub);
    expect(state?.status).toBe('completed');
    const chunks = (await stub.getJobState(true))!.chunks!;
    expect(chunks.slice(0, 3).every((c) => !c.text.includes(' Paragraph'))).toBe(true);
    expect(chunks.some((c) => c.text.includes('\n\nParagraph'))).toBe(true);
    expect(chunks.every((c) => [...c.text].length <= 1000)).toBe(true);
    expect(chunks.map((c) => c.text).join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
    for (const c of chunks) expect(await env.TTS_AUDIO_BUCKET.head(`tts_audio/${jobId}/${c.index}.wav`)).not.toBeNull();
  });

  it('dispatches the first page while later pages wait to be split, and completes only once the whole input is in (issue 12)', async () => {
    const jobId = crypto.randomUUID();
    const stub = stubFor(jobId);
    // Splitting waits on a gate the test opens: progress, not the clock, decides what happens first.
    const open = await holdCalls(stub, (instance) => (instance as unknown as { lifecycle: Gated<'advanceSplitting'> }).lifecycle, 'advanceSplitting');
    const text = Array.from({ length: 700 }, (_, i) => `Sentence number ${i} of a long text.`).join(' '); // ~25,000 chars: two pages
    const created = stub.initializeJob({ jobId, text, voiceId: 'espeak:en-us', splittingPreference: 'sentence' });
    const chunk0 = async () =>
      runInDurableObject(stub, (_i, st) => {
        try {
          return st.storage.sql.exec<{ status: string }>('SELECT status FROM chunk WHERE idx = 0').toArray()[0]?.status;
        } catch {
          return undefined; // not created yet
        }
      });
    for (let t = Date.now(); Date.now() - t < 30_000 && (await chunk0()) !== 'completed'; ) await new Promise((r) => setTimeout(r, 50));
    expect(await chunk0()).toBe('completed');
    const mid = await runInDurableObject(stub, (_i, st) => st.storage.sql.exec<{ status: string; input_open: number; split_page: number; pages: number }>('SELECT status, input_open, split_page, pages FROM job').one());
    expect(mid).toMatchObject({ status: 'processing', input_open: 1, split_page: 1 });
    expect(mid.pages).toBeGreaterThan(1);
    open();
    const job = unwrap((await created) as Result<InitializedJob>);
    const state = await driveToEnd(stub);
    expect(state?.status).toBe('completed');
    expect(state?.processedSentenceCount).toBe(job.totalSentences);
    const all = (await stub.getJobState(true))!.chunks!;
    expect(all.map((c) => c.text).join(' ').replace(/\s+/g, ' ')).toBe(text);
  });

  it('splits the pages within its budget while creating the job, without waiting for an alarm (issue 12)', async () => {
    const jobId = crypto.randomUUID();
    const stub = stubFor(jobId);
    // No alarm runs until the test opens the gate: the whole split must happen in the creating call.
    const open = await holdCalls(stub, (instance) => instance as unknown as Gated<'alarm'>, 'alarm');
    const paragraph = (p: number) => Array.from({ length: 20 }, (_, i) => `Sentence number ${i} of paragraph ${p}.`).join(' ');
    const text = Array.from({ length: 75 }, (_, p) => paragraph(p)).join('\n\n'); // ~58,000 chars: five pages, within one budget
    const created = stub.initializeJob({ jobId, text, voiceId: 'espeak:en-us', splittingPreference: 'sentence' });
    const result = await Promise.race([created, new Promise<string>((r) => setTimeout(() => r('still waiting for an alarm'), 10_000))]);
    expect(result).not.toBe('still waiting for an alarm');
    const job = unwrap(result as Result<InitializedJob>);
    const split = await runInDurableObject(stub, (_i, st) => st.storage.sql.exec<{ input_open: number; split_page: number; pages: number; total: number }>('SELECT input_open, split_page, pages, total FROM job').one());
    expect(split.pages).toBeGreaterThan(4);
    expect(split).toMatchObject({ input_open: 0, split_page: split.pages, total: job.totalSentences });
    const all = (await stub.getJobState(true))!.chunks!;
    expect(all.map((c) => c.text).join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
    open();
    expect((await stub.deleteState()).deleted).toBe(true);
  });

  it('sends the first chunk alone, and the next ones once it is answered (issue 12: first audio)', async () => {
    const jobId = crypto.randomUUID();
    const stub = stubFor(jobId);
    // The first chunk's backend call waits on a gate: while it is out, nothing else may be leased.
    const first = gate();
    const calls: number[] = [];
    await patchMethod(stub, (instance) => (instance as unknown as { dispatcher: Gated<'callBackend'> }).dispatcher, 'callBackend', (real) => async (...args) => {
      const [req] = args as unknown as [{ sentenceIndex: number }];
      calls.push(req.sentenceIndex);
      if (req.sentenceIndex === 0) await first.passed;
      return real(...args);
    });
    const text = Array.from({ length: 8 }, (_, i) => `Part ${i} of the story.`).join('\n\n');
    const created = unwrap((await stub.initializeJob({ jobId, text, voiceId: 'espeak:en-us', splittingPreference: 'sentence', concurrency: 4 })) as Result<InitializedJob>);
    expect(created.totalSentences).toBeGreaterThan(2);
    for (let t = Date.now(); calls.length === 0 && Date.now() - t < 10_000; ) await new Promise((r) => setTimeout(r, 10));
    const leased = await runInDurableObject(stub, (_i, st) => st.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM chunk WHERE status = 'processing'`).one().n);
    expect(leased).toBe(1);
    expect(calls).toEqual([0]);
    first.open();
    const state = await driveToEnd(stub);
    expect(state?.status).toBe('completed');
    expect([...new Set(calls)].sort((a, b) => a - b)).toEqual(Array.from({ length: created.totalSentences }, (_, i) => i));
  });

  it('an evicted object resumes from storage and its alarm', async () => {
    const text = Array.from({ length: 8 }, (_, i) => `Part ${i} of the story.`).join('\n\n');
    const { stub } = await init(text, { concurrency: 2 }, undefined, 2);
    const before = await evictMidJob(stub, 2);
    expect(before.processedSentenceCount).toBeLessThan(8);
    const state = await driveToEnd(stub);
    expect(state?.status).toBe('completed');
    expect(state?.processedSentenceCount).toBe(8);
  });

  it('deleteState removes the R2 objects and the state', async () => {
    const { jobId, stub } = await init();
    await driveToEnd(stub);
    expect((await env.TTS_AUDIO_BUCKET.list({ prefix: `tts_audio/${jobId}/` })).objects.length).toBe(3);
    const res = await stub.deleteState();
    expect(res).toEqual({ deleted: true, objects: 3 });
    expect((await env.TTS_AUDIO_BUCKET.list({ prefix: `tts_audio/${jobId}/` })).objects.length).toBe(0);
    expect(await stub.getJobState()).toBeNull();
  });

  it('completes although 30% of backend calls answer 500, 429 with Retry-After, or hang', async () => {
    const text = Array.from({ length: 30 }, (_, i) => `Faulty line ${i}.`).join('\n\n');
    // At 30% faults a chunk fails all of k attempts with probability 0.3^k: 10 attempts make a
    // failed job (30 chunks) a one-in-30,000 event instead of 7% with the default 5.
    const { jobId, stub } = await init(text, { chunkTimeoutOverrideMs: 1500, maxAttempts: 10 }, (id) => setFaults(id, { rate500: 0.1, rate429: 0.1, retryAfterSeconds: 1, rateHang: 0.1 }));
    const state = await driveToEnd(stub, 110_000);
    expect(state?.errorMessage ?? null).toBeNull();
    expect(state?.status).toBe('completed');
    expect(state?.processedSentenceCount).toBe(30);
    const counts = await proxyCounts();
    // Faults were injected, so there were more calls than chunks.
    expect(counts.byJob[jobId]).toBeGreaterThan(30);
    const chunks = (await stub.getJobState(true))!.chunks!;
    expect(chunks.some((c) => c.attempts > 1 && c.lastError !== null)).toBe(true);
  });

  it('a permanent 400 fails the job with per-chunk error detail', async () => {
    const { stub } = await init(THREE, {}, (id) => setFaults(id, { rate400: 1 }));
    const state = await driveToEnd(stub);
    expect(state?.status).toBe('failed');
    expect(state?.errorMessage).toMatch(/400/);
    const chunks = (await stub.getJobState(true))!.chunks!;
    const failed = chunks.filter((c) => c.status === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed[0]!.attempts).toBe(1);
    expect(failed[0]!.lastError).toMatch(/injected permanent failure/);
    expect(failed[0]!.lastErrorAt).toBeGreaterThan(0);
  });

  it('no completed chunk is synthesized again after eviction', async () => {
    const text = Array.from({ length: 12 }, (_, i) => `Counted sentence ${i}.`).join('\n\n');
    const { jobId, stub } = await init(text, { concurrency: 2 }, undefined, 3);
    const before = await evictMidJob(stub, 3);
    expect(before.processedSentenceCount).toBeLessThan(12);
    const state = await driveToEnd(stub);
    expect(state?.status).toBe('completed');
    const counts = await proxyCounts();
    const perChunk = Object.entries(counts.byChunk).filter(([k]) => k.startsWith(jobId));
    expect(perChunk.length).toBe(12);
    // Every chunk went to the backend exactly once: eviction cost no re-synthesis.
    expect(perChunk.every(([, n]) => n === 1)).toBe(true);
  });

  it('TTL expiry deletes the R2 objects and the state', async () => {
    const { jobId, stub } = await init();
    await driveToEnd(stub);
    expect((await env.TTS_AUDIO_BUCKET.list({ prefix: `tts_audio/${jobId}/` })).objects.length).toBe(3);
    await runInDurableObject(stub, async (_i, s) => {
      s.storage.sql.exec('UPDATE job SET expires_at = ?', Date.now() - 1);
      await s.storage.setAlarm(Date.now());
    });
    // The alarm may fire on its own before we run it; either way the job must be gone.
    await runDurableObjectAlarm(stub);
    for (let i = 0; i < 50 && (await stub.getJobState()) !== null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await stub.getJobState()).toBeNull();
    expect((await env.TTS_AUDIO_BUCKET.list({ prefix: `tts_audio/${jobId}/` })).objects.length).toBe(0);
  });
});
