// The job's durability holes of issue 10 (items 1, 2, 5), each shown in workerd
// with the real SQLite storage, R2, RouterCounter, backend Worker and synthesis service.
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { type Result, unwrap } from '../../../core/result.ts';
import type { RawTtsFailure, RawTtsResponse } from '../../../core/api/types.ts';
import type { InitializedJob, InitializeJobParams, TtsJobDurableObject } from './TtsJobDurableObject.ts';
import type { ChunkDispatcher } from './ChunkDispatcher.ts';
import type { ChunkLease } from './JobStore.ts';
import { driveToEnd } from '../../test/job-end.ts';

const THREE = 'Hello there.\n\nThis is Lector speaking.\n\nGoodbye for now.';

function stubFor(name: string): DurableObjectStub<TtsJobDurableObject> {
  return env.TTS_JOB_DO.get(env.TTS_JOB_DO.idFromName(name));
}

async function init(extra: Partial<InitializeJobParams> = {}) {
  const jobId = crypto.randomUUID();
  const stub = stubFor(jobId);
  unwrap((await stub.initializeJob({ jobId, text: THREE, voiceId: 'espeak:en-us', splittingPreference: 'sentence', ...extra })) as Result<InitializedJob>);
  return { jobId, stub };
}

/** What the object has stored: its SQLite tables and its alarm. */
async function stored(stub: DurableObjectStub<TtsJobDurableObject>) {
  return runInDurableObject(stub, async (_i, s) => ({
    tables: s.storage.sql.exec<{ name: string }>(`SELECT name FROM sqlite_master`).toArray().map((r) => r.name),
    alarm: await s.storage.getAlarm(),
  }));
}

interface DispatcherInternals {
  applyAnswer: ChunkDispatcher['applyAnswer'];
  d: { env: Env };
}

/** The instance's dispatcher (internal: tests inject faults and late answers through it). */
function dispatcherOf(instance: TtsJobDurableObject): DispatcherInternals {
  return (instance as unknown as { dispatcher: DispatcherInternals }).dispatcher;
}

describe('issue 10 item 1: a failing alarm never stalls the job', () => {
  it('re-arms after RouterCounter fails, gives the leased chunks their attempt back, then finishes', async () => {
    const { stub } = await init({ autoStart: false });
    const broken = {
      idFromName: () => {
        throw new Error('RouterCounter unreachable');
      },
    };
    let saved: Env | undefined;
    await runInDurableObject(stub, async (instance, s) => {
      const d = dispatcherOf(instance).d;
      saved = d.env;
      d.env = Object.create(d.env, { ROUTER_COUNTER: { value: broken } }) as Env;
      await s.storage.setAlarm(Date.now() + 3_600_000);
    });
    const before = Date.now();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await stored(stub);
    expect(after.alarm).not.toBeNull();
    expect(after.alarm!).toBeGreaterThan(before);
    const state = (await stub.getJobState(true))!;
    expect(state.counts).toEqual({ pending: 3, processing: 0, completed: 0, failed: 0 });
    expect(state.chunks!.map((c) => c.attempts)).toEqual([0, 0, 0]);
    // The router is back: the re-armed alarm carries the job to the end by itself.
    await runInDurableObject(stub, (instance) => {
      dispatcherOf(instance).d.env = saved!;
    });
    const end = await driveToEnd(stub);
    expect(end?.status).toBe('completed');
    expect(end?.processedSentenceCount).toBe(3);
  });
});

describe('issue 10 item 2: leases carry a token', () => {
  it('the late answer of an expired lease neither fails nor completes the chunk leased again', async () => {
    const { jobId, stub } = await init({ autoStart: false });
    const [first] = await stub.getNextSentencesToProcess(1);
    await runInDurableObject(stub, (_i, s) => {
      s.storage.sql.exec('UPDATE chunk SET lease_expires_at = 0 WHERE idx = 0');
    });
    const [second] = await stub.getNextSentencesToProcess(1);
    expect(second!.index).toBe(0);
    expect(second!.token).toBeGreaterThan(first!.token);
    const success = (bytes: number): RawTtsResponse => ({ r2Key: `tts_audio/${jobId}/0.wav`, mimeType: 'audio/wav', jobId, sentenceIndex: 0, bytes, durationMs: 1 });
    const fail = (retryable: boolean): RawTtsFailure => ({ error: { code: retryable ? 'http_500' : 'http_400', message: 'late', status: retryable ? 500 : 400, retryable } });
    await runInDurableObject(stub, (instance) => {
      const d = dispatcherOf(instance);
      d.applyAnswer(first as ChunkLease, fail(false), Date.now());
      d.applyAnswer(first as ChunkLease, fail(true), Date.now());
      d.applyAnswer(first as ChunkLease, success(111), Date.now());
    });
    let state = (await stub.getJobState(true))!;
    expect(state.status).toBe('processing');
    expect(state.chunks![0]).toMatchObject({ status: 'processing', attempts: 2, lastError: null });
    await runInDurableObject(stub, (instance) => dispatcherOf(instance).applyAnswer(second as ChunkLease, success(222), Date.now()));
    state = (await stub.getJobState(true))!;
    expect(state.chunks![0]).toMatchObject({ status: 'completed', bytes: 222 });
  });
});

describe('issue 10 item 2: the lease clock starts with the call', () => {
  it('routing that takes longer than the lease grace moves the lease expiry past the call timeout', async () => {
    const TIMEOUT = 20_000;
    const ROUTING_MS = 2_500;
    const { stub } = await init({ autoStart: false, chunkTimeoutOverrideMs: TIMEOUT, concurrency: 1 });
    // What the chunk's row says at the moment its backend call starts.
    const atCall: { callStart: number; expires: number }[] = [];
    await runInDurableObject(stub, async (instance, s) => {
      const d = dispatcherOf(instance).d;
      const realRouter = d.env.ROUTER_COUNTER;
      const realBackend = d.env.BACKEND;
      const slowRouter = {
        idFromName: (n: string) => realRouter.idFromName(n),
        get: (id: DurableObjectId) => {
          const r = realRouter.get(id);
          return {
            acquireBlock: async (n: number, t: number, only?: string[]) => (await new Promise((ok) => setTimeout(ok, ROUTING_MS)), r.acquireBlock(n, t, only)),
            reportBlock: (b: string, o: { backend: number; succeeded: number; failed: number }[], final: boolean) => r.reportBlock(b, o, final),
            report: (ticket: string, success: boolean) => r.report(ticket, success),
          };
        },
      };
      const watchedBackend = {
        voiceLimits: (v: string) => realBackend.voiceLimits(v),
        synthesize: (req: { sentenceIndex: number }) => {
          const expires = s.storage.sql.exec<{ t: number }>('SELECT lease_expires_at AS t FROM chunk WHERE idx = ?', req.sentenceIndex).one().t;
          atCall.push({ callStart: Date.now(), expires });
          return realBackend.synthesize(req as Parameters<typeof realBackend.synthesize>[0]);
        },
      };
      d.env = Object.create(d.env, { ROUTER_COUNTER: { value: slowRouter }, BACKEND: { value: watchedBackend } }) as Env;
      await s.storage.setAlarm(Date.now() + 3_600_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await driveToEnd(stub))?.status).toBe('completed');
    expect(atCall.length).toBeGreaterThanOrEqual(3);
    for (const c of atCall) expect(c.expires).toBeGreaterThanOrEqual(c.callStart + TIMEOUT);
  });
});

describe('issue 10 item 5: only a job that exists has storage', () => {
  it('reading an unknown job id through every RPC and the stream stores nothing', async () => {
    const stub = stubFor(crypto.randomUUID());
    expect(await stub.getJobState()).toBeNull();
    expect(await stub.getAudioPlan(false)).toBeNull();
    expect((await stub.getAudioChunkMetadata(0)).ok).toBe(false);
    const res = await stub.fetch('https://job/events?from=-1');
    expect(res.status).toBe(404);
    await res.body?.cancel();
    expect(await stub.deleteState()).toEqual({ deleted: false, objects: 0 });
    expect(await stub.updateJobStatus({ status: 'cancelled' })).toBeNull();
    expect(await stub.getNextSentenceToProcess()).toEqual({ done: true });
    expect(await stub.markSentenceAsProcessed(0, { r2Key: 'tts_audio/x/0.wav', mimeType: 'audio/wav', bytes: 1, durationMs: 1 })).toEqual({ changed: false, status: null });
    await stub.stats();
    expect(await stored(stub)).toEqual({ tables: [], alarm: null });
  });

  it('a delete leaves no table and no alarm behind, and the id reads as unknown', async () => {
    const { stub } = await init();
    expect((await driveToEnd(stub))?.status).toBe('completed');
    expect((await stub.deleteState()).deleted).toBe(true);
    expect(await stored(stub)).toEqual({ tables: [], alarm: null });
    expect(await stub.getJobState()).toBeNull();
    expect(await stored(stub)).toEqual({ tables: [], alarm: null });
  });

  it('expiry leaves no table and no alarm behind', async () => {
    const { stub } = await init();
    expect((await driveToEnd(stub))?.status).toBe('completed');
    await runInDurableObject(stub, async (_i, s) => {
      s.storage.sql.exec('UPDATE job SET expires_at = ?', Date.now() - 1);
      await s.storage.setAlarm(Date.now() + 3_600_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stored(stub)).toEqual({ tables: [], alarm: null });
  });
});
