// A 5,000-chunk job through the real backend Worker and synthesis service:
// every row, every R2 key, exact counts (issue 3 acceptance).
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { type Result, unwrap } from '../../../core/result.ts';
import type { InitializedJob, TtsJobDurableObject } from './TtsJobDurableObject.ts';

const CHUNKS = 5000;

it(`a ${CHUNKS}-chunk job ends with every row, every R2 key and exact counts`, { timeout: 600_000 }, async () => {
  const jobId = crypto.randomUUID();
  const stub: DurableObjectStub<TtsJobDurableObject> = env.TTS_JOB_DO.get(env.TTS_JOB_DO.idFromName(jobId));
  // One short paragraph per chunk: the edge is under test, not the engine.
  const text = Array.from({ length: CHUNKS }, (_, i) => `${i}.`).join('\n\n');
  // 64 chunks in flight (the default is 4): each chunk spends most of its time waiting on the
  // hops between the object, the backend, the service and R2, so more in flight is more throughput
  // (232 s with 32 at load ~18, 132 s with 64 at load ~12-15: docs/testing.md).
  const started = Date.now();
  const init = unwrap((await stub.initializeJob({ jobId, text, voiceId: 'espeak:en-us', splittingPreference: 'sentence', growChars: 0, concurrency: 64 })) as Result<InitializedJob>);
  expect(init.totalSentences).toBe(CHUNKS);
  // The test's own timeout is 600 s; the loop gives up first with the job's counts.
  const deadline = Date.now() + 540_000;
  for (;;) {
    const s = await stub.getJobState();
    if (s && s.status !== 'initialized' && s.status !== 'processing') break;
    if (Date.now() > deadline) throw new Error(`job not finished after 540 s: ${JSON.stringify(s?.counts)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const state = (await stub.getJobState())!;
  console.log(`long job: ${CHUNKS} chunks in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(state.status).toBe('completed');
  expect(state.processedSentenceCount).toBe(CHUNKS);
  expect(state.currentSentenceIndex).toBe(CHUNKS);
  expect(state.counts).toEqual({ pending: 0, processing: 0, completed: CHUNKS, failed: 0 });
  const rows = await runInDurableObject(stub, (_i, s) =>
    s.storage.sql.exec<{ n: number; keys: number; seqs: number }>(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT r2_key) AS keys, COUNT(DISTINCT completed_seq) AS seqs FROM chunk WHERE status = 'completed'`,
    ).one(),
  );
  expect(rows).toEqual({ n: CHUNKS, keys: CHUNKS, seqs: CHUNKS });
  const listed = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await env.TTS_AUDIO_BUCKET.list({ prefix: `tts_audio/${jobId}/`, cursor });
    for (const o of page.objects) listed.add(o.key);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  expect(listed.size).toBe(CHUNKS);
  for (let i = 0; i < CHUNKS; i++) expect(listed.has(`tts_audio/${jobId}/${i}.wav`)).toBe(true);
});
