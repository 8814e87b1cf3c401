// Voice settings and passage redo inside workerd: what a job stores per chunk
// (speak, speed, SSML pauses), what a lease sends, and a redo that re-queues one
// chunk only (the others keep their audio) and refuses busy chunks and failed jobs.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { type Result, unwrap } from '../../../core/result.ts';
import type { InitializedJob, InitializeJobParams, TtsJobDurableObject } from './TtsJobDurableObject.ts';
import { driveToEnd } from '../../test/job-end.ts';

const THREE = 'Hello Darcy.\n\nThis is Lector speaking.\n\nGoodbye for now.';

async function init(text = THREE, extra: Partial<InitializeJobParams> = {}) {
  const jobId = crypto.randomUUID();
  const stub: DurableObjectStub<TtsJobDurableObject> = env.TTS_JOB_DO.get(env.TTS_JOB_DO.idFromName(jobId));
  const res = (await stub.initializeJob({ jobId, text, voiceId: 'espeak:en-us', splittingPreference: 'sentence', autoStart: false, ...extra })) as Result<InitializedJob>;
  return { jobId, stub, init: unwrap(res) };
}

function errorOf(r: { ok: boolean }): { code: string; status: number } | undefined {
  return (r as { error?: { code: string; status: number } }).error;
}

describe('voice settings in a job', () => {
  it('stores the lexicon form and speed per chunk and leases what the engine reads', async () => {
    const { stub } = await init(THREE, { speed: 1.5, lexicon: [{ match: 'Darcy', say: 'Dorsey' }] });
    const state = await stub.getJobState(true);
    expect(state!.chunks!.map((c) => c.text)).toEqual(['Hello Darcy.', 'This is Lector speaking.', 'Goodbye for now.']);
    expect(state!.chunks!.map((c) => c.speak)).toEqual(['Hello Dorsey.', undefined, undefined]);
    expect(state!.chunks!.every((c) => c.speed === 1.5)).toBe(true);
    const leases = await stub.getNextSentencesToProcess(10);
    expect(leases.map((l) => [l.text, l.speed, l.shown])).toEqual([
      ['Hello Dorsey.', 1.5, 'Hello Darcy.'],
      ['This is Lector speaking.', 1.5, undefined],
      ['Goodbye for now.', 1.5, undefined],
    ]);
  });

  it('an SSML job stores break pauses, sub aliases and prosody speed; bad SSML names line and column', async () => {
    const { stub } = await init('<speak><p>One.</p><break time="1500ms"/><p><prosody rate="x-fast">Two <sub alias="point">pt</sub>.</prosody></p></speak>', { inputFormat: 'ssml' });
    const chunks = (await stub.getJobState(true))!.chunks!;
    expect(chunks.map((c) => [c.text, c.speak, c.pauseBeforeMs, c.speed])).toEqual([
      ['One.', undefined, undefined, undefined],
      ['Two pt.', 'Two point.', 1500, 2],
    ]);
    const jobId = crypto.randomUUID();
    const bad = (await env.TTS_JOB_DO.get(env.TTS_JOB_DO.idFromName(jobId)).initializeJob({ jobId, text: '<speak>\n<p>x</speak>', voiceId: 'espeak:en-us', splittingPreference: 'sentence', inputFormat: 'ssml', autoStart: false })) as Result<InitializedJob>;
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid_ssml');
      expect(bad.error.message).toMatch(/line 2, column \d+/);
    }
  });
});

describe('redoing a passage', () => {
  it('refuses a chunk in flight, then re-queues only the redone chunk with a new lease token', async () => {
    const { jobId, stub } = await init(THREE, { lexicon: [{ match: 'new', say: 'knew' }] });
    await stub.getNextSentencesToProcess(10);
    const busy = await stub.replaceChunkText(1, 'Something new.');
    expect(busy.ok).toBe(false);
    expect(errorOf(busy)).toMatchObject({ code: 'chunk_busy', status: 409 });
    // Complete all three with 10-byte stand-ins, as the seed's mark does.
    for (const i of [0, 1, 2]) {
      const key = `tts_audio/${jobId}/${i}.wav`;
      await env.TTS_AUDIO_BUCKET.put(key, new Uint8Array(10));
      await stub.markSentenceAsProcessed(i, { r2Key: key, mimeType: 'audio/wav', bytes: 10, durationMs: 5 });
    }
    expect((await stub.getJobState())!.status).toBe('completed');
    const tokenBefore = await runInDurableObject(stub, (_i, s) => s.storage.sql.exec('SELECT lease_token AS t FROM chunk WHERE idx = 1').one().t);
    const redone = unwrap(await stub.replaceChunkText(1, 'Something new.'));
    expect(redone).toEqual({ jobId, index: 1, text: 'Something new.', status: 'pending' });
    const after = await runInDurableObject(stub, (_i, s) => s.storage.sql.exec('SELECT text, speak, status, attempts, lease_token AS t FROM chunk WHERE idx = 1').one());
    expect(after.text).toBe('Something new.');
    expect(after.speak).toBe('Something knew.');
    // A new lease token (the redo's; the alarm the redo sets may already have leased it again).
    expect(after.t as number).toBeGreaterThan(tokenBefore as number);
    // The alarm re-synthesizes chunk 1 through the real backend; 0 and 2 keep their stand-in audio.
    const state = await driveToEnd(stub, 60_000, true);
    expect(state!.status).toBe('completed');
    expect(state!.processedSentenceCount).toBe(3);
    expect(state!.chunks!.map((c) => c.bytes)).toEqual([10, state!.chunks![1]!.bytes, 10]);
    expect(state!.chunks![1]!.bytes).toBeGreaterThan(1000);
    expect(state!.chunks![1]!.attempts).toBe(1);
  });

  it('refuses a missing chunk, a failed job and a job that does not exist', async () => {
    const { stub } = await init();
    const missing = await stub.replaceChunkText(7, 'Hi.');
    expect(errorOf(missing)?.code).toBe('chunk_not_found');
    await stub.updateJobStatus({ status: 'failed', errorMessage: 'by the test' });
    const failed = await stub.replaceChunkText(0, 'Hi.');
    expect(errorOf(failed)?.code).toBe('job_not_redoable');
    const none = await env.TTS_JOB_DO.get(env.TTS_JOB_DO.idFromName(crypto.randomUUID())).replaceChunkText(0, 'Hi.');
    expect(errorOf(none)?.code).toBe('job_not_found');
  });
});
