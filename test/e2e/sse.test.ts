// Resumable Server-Sent Events on the real stack (issue 5 §1): disconnect after
// three events, resume with Last-Event-ID, and get every remaining chunk
// exactly once, in order; inline audio; completion order.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChunkEventData, CreateJobResponse, JobEventData } from '../../src/core/api/types.ts';
import { base64ToBytes } from '../../src/core/base64.ts';
import { parseWav } from '../../src/core/audio/wav.ts';
import { readSse } from '../support/sse-client.ts';
import { waitForJobEnd } from '../support/job-end.ts';
import { sharedStack, type SharedStack } from '../support/shared-stack.ts';
import { synthesizeEspeakPcm } from '../../src/synth/engines/espeak-direct.ts';

// Chunks grow after the first three (issue 12): 40 short paragraphs make 6 chunks.
const TEXT = Array.from({ length: 40 }, (_, i) => `This is paragraph number ${i}.`).join('\n\n');
const JSON_CT = { 'content-type': 'application/json' };

describe('SSE', () => {
  let stack: SharedStack;
  beforeAll(async () => {
    // The shared stack's heartbeat is 300 ms (test/setup/shared-stack.ts), short enough to see; the default is 15 s.
    stack = await sharedStack();
  });

  it('resumes after a disconnect with Last-Event-ID: each chunk exactly once, in order', async () => {
    const job = (await (await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: JSON_CT, body: JSON.stringify({ text: TEXT }) })).json()) as CreateJobResponse;
    const first = await readSse(await fetch(`${stack.edgeUrl}${job.links.events}`), (_e, all) => all.filter((e) => e.event === 'message').length === 3);
    expect(first[0]!.event).toBe('job');
    const jobData = JSON.parse(first[0]!.data) as JobEventData;
    const n = job.totalSentences;
    expect(n).toBeGreaterThanOrEqual(6);
    expect(jobData).toMatchObject({ jobId: job.jobId, total: n });
    expect(jobData.overallOrchestratorTimeoutMs).toBe(job.overallOrchestratorTimeoutMs);
    const seen = first.filter((e) => e.event === 'message');
    const lastId = seen.at(-1)!.id!;
    expect(lastId).toBe('2');
    const rest = await readSse(await fetch(`${stack.edgeUrl}${job.links.events}`, { headers: { 'last-event-id': lastId } }));
    const ids = [...seen, ...rest.filter((e) => e.event === 'message')].map((e) => Number(e.id));
    expect(ids).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(rest.at(-1)!.event).toBe('end');
    expect(rest.some((e) => e.event === 'progress')).toBe(true);
    // ?from= is the same as Last-Event-ID.
    const fromQuery = await readSse(await fetch(`${stack.edgeUrl}${job.links.events}?from=${n - 3}`));
    expect(fromQuery.filter((e) => e.event === 'message').map((e) => e.id)).toEqual([String(n - 2), String(n - 1)]);
  });

  it('carries base64 audio inline when asked, equal to the chunk', async () => {
    const res = await fetch(`${stack.edgeUrl}/api/tts-stream`, { method: 'POST', headers: JSON_CT, body: JSON.stringify({ text: 'Inline audio here.', inline: true }) });
    expect(res.headers.get('content-encoding')).not.toBe('gzip');
    const events = await readSse(res);
    const msg = JSON.parse(events.find((e) => e.event === 'message')!.data) as ChunkEventData;
    expect(msg.text).toBe('Inline audio here.');
    expect(msg.durationMs).toBeGreaterThan(0);
    const wav = parseWav(base64ToBytes(msg.audioChunk!));
    const direct = await synthesizeEspeakPcm('Inline audio here.', 'en-us');
    expect(Buffer.from(wav.pcm).equals(Buffer.from(direct.pcm))).toBe(true);
  });

  it("carries chunk 0's audio alone with inline 'first', equal to GET of the chunk", async () => {
    const res = await fetch(`${stack.edgeUrl}/api/tts-stream`, { method: 'POST', headers: JSON_CT, body: JSON.stringify({ text: TEXT, inline: 'first' }) });
    const messages = (await readSse(res)).filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as ChunkEventData);
    expect(messages.length).toBeGreaterThanOrEqual(6);
    expect(messages.filter((m) => m.audioChunk !== undefined).map((m) => m.index)).toEqual([0]);
    const got = await fetch(new URL(messages[0]!.url, stack.edgeUrl));
    expect(Buffer.from(base64ToBytes(messages[0]!.audioChunk!)).equals(Buffer.from(await got.arrayBuffer()))).toBe(true);
    // The same on a job's own stream, by query.
    const jobId = res.headers.get('x-lector-job-id')!;
    const again = await readSse(await fetch(`${stack.edgeUrl}/api/tts/${jobId}/events?inline=first`));
    expect(again.filter((e) => e.event === 'message').map((e) => (JSON.parse(e.data) as ChunkEventData).audioChunk !== undefined)).toEqual(messages.map((m) => m.index === 0));
  });

  it("after a redo of chunk 0, inline 'first' carries the new audio, not the one held from before", async () => {
    const res = await fetch(`${stack.edgeUrl}/api/tts-stream`, { method: 'POST', headers: JSON_CT, body: JSON.stringify({ text: 'The old first line.\n\nA second paragraph.', inline: 'first' }) });
    const jobId = res.headers.get('x-lector-job-id')!;
    const before = (await readSse(res)).filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as ChunkEventData);
    const old = base64ToBytes(before.find((m) => m.index === 0)!.audioChunk!);
    const patched = await fetch(`${stack.edgeUrl}/api/tts/${jobId}/chunks/0`, { method: 'PATCH', headers: JSON_CT, body: JSON.stringify({ text: 'A new first line.' }) });
    expect(patched.status).toBe(202);
    expect((await waitForJobEnd(stack.edgeUrl, jobId)).status).toBe('completed');
    const after = (await readSse(await fetch(`${stack.edgeUrl}/api/tts/${jobId}/events?inline=first`))).filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as ChunkEventData);
    const chunk0 = after.find((m) => m.index === 0)!;
    expect(chunk0.text).toBe('A new first line.');
    const audio = Buffer.from(base64ToBytes(chunk0.audioChunk!));
    expect(audio.equals(Buffer.from(old))).toBe(false);
    expect(audio.equals(Buffer.from(await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}/chunks/0`)).arrayBuffer()))).toBe(true);
    expect(Buffer.from(parseWav(audio).pcm).equals(Buffer.from((await synthesizeEspeakPcm('A new first line.', 'en-us')).pcm))).toBe(true);
  });

  it("refuses an inline value other than true, false or 'first' with a 400", async () => {
    const res = await fetch(`${stack.edgeUrl}/api/tts-stream`, { method: 'POST', headers: JSON_CT, body: JSON.stringify({ text: 'Hello.', inline: 'all' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
  });

  it('sends chunks in completion order when asked, each once', async () => {
    const job = (await (await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: JSON_CT, body: JSON.stringify({ text: TEXT }) })).json()) as CreateJobResponse;
    const events = await readSse(await fetch(`${stack.edgeUrl}${job.links.events}?order=completion`));
    const messages = events.filter((e) => e.event === 'message');
    const indexes = messages.map((e) => (JSON.parse(e.data) as { index: number }).index);
    const n = job.totalSentences;
    expect(n).toBeGreaterThanOrEqual(6);
    expect([...indexes].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    // In completion order the event id is the completion sequence (what Last-Event-ID resumes from).
    expect(messages.map((e) => Number(e.id))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(events.at(-1)!.event).toBe('end');
  });

  it('ends the stream with event: error when the job stops (deleted mid-job)', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `Sentence ${i} of a job that will be cancelled.`).join('\n\n');
    const job = (await (await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: JSON_CT, body: JSON.stringify({ text: long }) })).json()) as CreateJobResponse;
    let deleting: Promise<Response> | undefined;
    const events = await readSse(await fetch(`${stack.edgeUrl}${job.links.events}`), (ev) => {
      if (ev.event === 'job') deleting = fetch(`${stack.edgeUrl}/api/tts/${job.jobId}`, { method: 'DELETE' });
      return ev.event === 'end' || ev.event === 'error';
    });
    expect((await deleting!).status).toBe(200);
    const last = events.at(-1)!;
    expect(last.event).toBe('error');
    expect(JSON.parse(last.data)).toMatchObject({ code: 'job_cancelled' });
  });

  it('sends comment heartbeats, uncompressed', async () => {
    // Long enough in engine time (~18,000 characters) that the job outlasts several 300 ms heartbeats:
    // 30 short paragraphs grown into a few chunks finished before the first heartbeat on a quiet machine.
    const long = Array.from({ length: 60 }, (_, i) => `Heartbeat check number ${i} goes here. ${'It keeps the synthesis busy for a while, sentence after sentence. '.repeat(4)}`).join('\n\n');
    const job = (await (await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: JSON_CT, body: JSON.stringify({ text: long }) })).json()) as CreateJobResponse;
    // Resume past the last chunk: no chunk events, only progress, heartbeats, then end.
    const res = await fetch(`${stack.edgeUrl}${job.links.events}`, { headers: { 'last-event-id': '100000', 'accept-encoding': 'gzip, br' } });
    expect(res.headers.get('content-encoding') ?? 'identity').toBe('identity');
    expect(res.headers.get('cache-control')).toContain('no-transform');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: end')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    expect(text).toContain(': heartbeat');
    expect(text).not.toContain('event: message');
  });
});
