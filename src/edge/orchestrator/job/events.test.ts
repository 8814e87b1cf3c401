// The job's SSE streams (issue 10 items 3 and 4), in workerd with real SQLite
// rows and R2 objects: completion-order resume loses nothing, and a slow reader
// of a long finished job with inline audio keeps the object's buffer bounded.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { type Result, unwrap } from '../../../core/result.ts';
import { base64ToBytes } from '../../../core/base64.ts';
import { SseParser, type SseEvent } from '../../../core/sse.ts';
import type { ChunkEventData } from '../../../core/api/types.ts';
import { readSse } from '../../../../test/support/sse-client.ts';
import type { InitializedJob, TtsJobDurableObject } from './TtsJobDurableObject.ts';
import { MAX_BUFFERED_BYTES } from './EventHub.ts';

async function manualJob(chunks: number) {
  const jobId = crypto.randomUUID();
  const stub: DurableObjectStub<TtsJobDurableObject> = env.TTS_JOB_DO.get(env.TTS_JOB_DO.idFromName(jobId));
  const text = Array.from({ length: chunks }, (_, i) => `Line ${i}.`).join('\n\n');
  const init = unwrap((await stub.initializeJob({ jobId, text, voiceId: 'espeak:en-us', splittingPreference: 'sentence', growChars: 0, autoStart: false })) as Result<InitializedJob>);
  expect(init.totalSentences).toBe(chunks);
  return { jobId, stub };
}

/** Stores chunk audio (each byte = the index) as the backend would, and marks the chunk completed. */
async function complete(stub: DurableObjectStub<TtsJobDurableObject>, jobId: string, index: number, bytes = 64): Promise<void> {
  const key = `tts_audio/${jobId}/${index}.wav`;
  await env.TTS_AUDIO_BUCKET.put(key, new Uint8Array(bytes).fill(index % 256));
  expect((await stub.markSentenceAsProcessed(index, { r2Key: key, mimeType: 'audio/wav', bytes, durationMs: 1 })).changed).toBe(true);
}

const messages = (events: SseEvent[]) => events.filter((e) => e.event === 'message');
const indexOf = (e: SseEvent) => (JSON.parse(e.data) as ChunkEventData).index;

describe('issue 10 item 4: completion-order streams resume without loss', () => {
  it('event ids are completion sequences; resuming after a higher chunk sends the lower ones that finished later', async () => {
    const { jobId, stub } = await manualJob(3);
    await complete(stub, jobId, 2);
    const first = await readSse(await stub.fetch('https://job/events?from=-1&order=completion'), (e) => e.event === 'message');
    const seen = messages(first);
    expect(seen.map(indexOf)).toEqual([2]);
    const lastId = seen.at(-1)!.id!;
    // The client is gone; chunks 0 and 1 finish meanwhile.
    await complete(stub, jobId, 0);
    await complete(stub, jobId, 1);
    const rest = await readSse(await stub.fetch(`https://job/events?from=${lastId}&order=completion`));
    expect(messages(rest).map(indexOf)).toEqual([0, 1]);
    expect(rest.at(-1)!.event).toBe('end');
    // Ids grow in completion order and never repeat across the two connections.
    const ids = [...seen, ...messages(rest)].map((e) => Number(e.id));
    expect(ids).toEqual([1, 2, 3]);
  });

  it('index order keeps chunk indexes as ids', async () => {
    const { jobId, stub } = await manualJob(3);
    for (const i of [1, 0, 2]) await complete(stub, jobId, i);
    const events = await readSse(await stub.fetch('https://job/events?from=0&order=index'));
    expect(messages(events).map((e) => e.id)).toEqual(['1', '2']);
  });
});

describe('issue 10 item 3: streams are pulled by their reader', () => {
  it('a slow reader of a long finished job with inline audio holds a bounded buffer, and gets every byte in order', { timeout: 120_000 }, async () => {
    const CHUNKS = 40;
    const AUDIO = 128 * 1024; // ~175 KB of base64 per event; ~7 MB for the whole replay
    const { jobId, stub } = await manualJob(CHUNKS);
    for (let i = 0; i < CHUNKS; i++) await complete(stub, jobId, i, AUDIO);
    const res = await stub.fetch('https://job/events?from=-1&order=index&inline=1');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    const events: SseEvent[] = [];
    let consumed = 0;
    let worstAhead = 0;
    const eventBytes = Math.ceil(AUDIO / 3) * 4 + 4096;
    // The stream's own queue, the event being produced, and workerd's pipe between the object and its caller.
    const bound = MAX_BUFFERED_BYTES + 2 * eventBytes + 256 * 1024;
    for (let reads = 0; ; reads++) {
      const { value, done } = await reader.read();
      if (done) break;
      consumed += value.byteLength;
      for (const ev of parser.push(decoder.decode(value, { stream: true }))) events.push(ev);
      if (reads % 24 === 0) {
        // The reader is slow: the object must not run ahead of it.
        await new Promise((r) => setTimeout(r, 150));
        const produced = await runInDurableObject(stub, (instance) => (instance as unknown as { hub: { producedBytes(): number[] } }).hub.producedBytes());
        if (produced.length > 0) worstAhead = Math.max(worstAhead, produced[0]! - consumed);
      }
    }
    expect(worstAhead).toBeLessThanOrEqual(bound);
    expect(worstAhead).toBeLessThan((CHUNKS * eventBytes) / 4);
    const msgs = messages(events);
    expect(msgs.map(indexOf)).toEqual(Array.from({ length: CHUNKS }, (_, i) => i));
    for (const m of msgs) {
      const data = JSON.parse(m.data) as ChunkEventData;
      const audio = base64ToBytes(data.audioChunk!);
      expect(audio.byteLength).toBe(AUDIO);
      expect(audio.every((b) => b === data.index % 256)).toBe(true);
    }
    expect(events.at(-1)!.event).toBe('end');
    console.log(`slow reader: ${consumed} bytes read, object at most ${worstAhead} bytes ahead (bound ${bound})`);
  });
});
