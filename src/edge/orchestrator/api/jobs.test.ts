// The HTTP API of the orchestrator inside workerd: happy paths and each
// documented error, with its status and code.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { CreateJobResponse, JobState } from '../../../core/api/types.ts';
import { MAX_BODY_BYTES } from './validate.ts';

const BASE = 'http://lector.test';

function call(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

function post(path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Response> {
  return call(path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function expectError(res: Response, status: number, code: string): Promise<{ code: string; message: string }> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body.error;
}

async function waitFor(jobId: string, statuses: string[], timeoutMs = 60_000): Promise<JobState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = (await (await call(`/api/tts/${jobId}`)).json()) as JobState;
    if (statuses.includes(state.status) || Date.now() > deadline) return state;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('POST /api/tts', () => {
  it('creates a job: 202 with id, counts, timeout and links', async () => {
    const res = await post('/api/tts', { text: 'One. Two. Three.', voiceId: 'espeak:en-us' });
    expect(res.status).toBe(202);
    const job = (await res.json()) as CreateJobResponse;
    expect(job.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(job.totalSentences).toBeGreaterThan(0);
    expect(job.overallOrchestratorTimeoutMs).toBeGreaterThan(0);
    expect(job.links.events).toBe(`/api/tts/${job.jobId}/events`);
    const state = await waitFor(job.jobId, ['completed', 'failed']);
    expect(state.status).toBe('completed');
    expect(state.overallOrchestratorTimeoutMs).toBe(job.overallOrchestratorTimeoutMs);
    const chunk = await call(`/api/tts/${job.jobId}/chunks/0`);
    expect(chunk.status).toBe(200);
    expect(chunk.headers.get('content-type')).toBe('audio/wav');
    const withChunks = (await (await call(`/api/tts/${job.jobId}?include=chunks`)).json()) as JobState;
    expect(withChunks.chunks?.[0]).toMatchObject({ index: 0, status: 'completed', attempts: 1, mimeType: 'audio/wav' });
  });

  it.each([
    ['invalid JSON', '{"text": ', { 'content-type': 'application/json' }, 400, 'invalid_json'],
    ['wrong content type', 'text=hello', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
    ['text of the wrong type', { text: 42 }, undefined, 400, 'validation_failed'],
    ['voiceId of the wrong type', { text: 'Hi.', voiceId: ['x'] }, undefined, 400, 'validation_failed'],
    ['unknown splitting', { text: 'Hi.', splitting: 'paragraph' }, undefined, 400, 'unknown_splitting'],
    ['empty text', { text: '' }, undefined, 400, 'empty_text'],
    ['whitespace only', { text: ' \n\t ' }, undefined, 400, 'empty_text'],
  ])('refuses %s', async (_name, body, headers, status, code) => {
    await expectError(await post('/api/tts', body, headers), status, code);
  });

  it('maxChunkChars caps grown chunks (they still span paragraphs); 0 keeps one paragraph per chunk', async () => {
    const paragraph = Array.from({ length: 11 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const text = [paragraph, paragraph, paragraph].join('\n\n');
    const plan = async (extra: Record<string, unknown>): Promise<string[]> => {
      const job = (await (await post('/api/tts', { text, voiceId: 'espeak:en-us', ...extra })).json()) as CreateJobResponse;
      const state = (await (await call(`/api/tts/${job.jobId}?include=chunks`)).json()) as JobState;
      expect((await call(`/api/tts/${job.jobId}`, { method: 'DELETE' })).status).toBe(200);
      const chunks = state.chunks!.map((c) => c.text);
      expect(chunks.length).toBe(job.totalSentences);
      expect(chunks.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
      return chunks;
    };
    const grown = await plan({});
    const capped = await plan({ maxChunkChars: 100 });
    const flat = await plan({ maxChunkChars: 0 });
    expect(Math.max(...grown.map((c) => c.length))).toBeGreaterThan(250);
    expect(capped.length).toBeGreaterThan(grown.length);
    expect(capped.slice(3).every((c) => c.length <= 100)).toBe(true);
    expect(capped.some((c) => c.includes('\n\n'))).toBe(true);
    expect(flat.every((c) => c.length <= 250 && !c.includes('\n\n'))).toBe(true);
    // A document upload takes it from the query string.
    const book = (await (await post('/api/tts?maxChunkChars=100&audioFormat=wav', `# One\n\n${text}`, { 'content-type': 'text/markdown' })).json()) as CreateJobResponse;
    const bookState = await waitFor(book.jobId, ['completed', 'failed']);
    const bookChunks = ((await (await call(`/api/tts/${book.jobId}?include=chunks`)).json()) as JobState).chunks!.map((c) => c.text);
    expect(bookState.status).toBe('completed');
    expect(bookChunks.slice(3).every((c) => c.length <= 100)).toBe(true);
    expect(bookChunks.length).toBeGreaterThan(grown.length);
  });

  it('refuses 1,000,001 characters with 413 naming the limit', async () => {
    const err = await expectError(await post('/api/tts', { text: 'a '.repeat(500_000) + 'b' }), 413, 'text_too_long');
    expect(err.message).toMatch(/1,?000,?000/);
  });

  it('refuses a body without content-length once it passes the limit, before the body ends', async () => {
    // A body that streams MAX_BODY_BYTES + 64 KB and then never ends: reading it whole first would wait for ever.
    let sent = 0;
    const block = new Uint8Array(64 * 1024).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_BODY_BYTES) return new Promise<void>(() => undefined); // stays open
        sent += block.byteLength;
        controller.enqueue(block);
      },
    });
    const req = new Request(`${BASE}/api/tts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(req.headers.get('content-length')).toBeNull();
    const hung = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000));
    const res = await Promise.race([exports.default.fetch(req), hung]);
    expect(res, 'the Worker waited for the end of an endless body').not.toBe('hung');
    await expectError(res as Response, 413, 'payload_too_large');
    expect(sent).toBeLessThanOrEqual(MAX_BODY_BYTES + 2 * block.byteLength);
  });

  it('refuses an unknown voice, listing valid ones', async () => {
    const err = await expectError(await post('/api/tts', { text: 'Hi.', voiceId: 'klingon:warrior' }), 400, 'unknown_voice');
    expect(err.message).toContain('espeak:en-us');
  });
});

describe('job routes', () => {
  it('answers 400 for a malformed job id and 404 for an unknown one', async () => {
    await expectError(await call('/api/tts/not-a-uuid'), 400, 'invalid_job_id');
    await expectError(await call('/api/tts/..%2F..%2Fetc%2Fpasswd'), 400, 'invalid_job_id');
    await expectError(await call(`/api/tts/${crypto.randomUUID()}`), 404, 'job_not_found');
    await expectError(await call(`/api/tts/${crypto.randomUUID()}/chunks/0`), 404, 'job_not_found');
    await expectError(await call(`/api/tts/${crypto.randomUUID()}/events`), 404, 'job_not_found');
  });

  it('answers chunk index errors: negative 400, out of range 404, not ready 404 with status', async () => {
    const job = (await (await post('/api/tts', { text: 'Alpha. Beta.' })).json()) as CreateJobResponse;
    await expectError(await call(`/api/tts/${job.jobId}/chunks/-1`), 400, 'invalid_chunk_index');
    await expectError(await call(`/api/tts/${job.jobId}/chunks/99999999999`), 400, 'invalid_chunk_index');
    await expectError(await call(`/api/tts/${job.jobId}/chunks/5000`), 404, 'chunk_not_found');
    await waitFor(job.jobId, ['completed']);
  });

  it('deletes a job once; the second DELETE is 404', async () => {
    const job = (await (await post('/api/tts', { text: 'Delete me.' })).json()) as CreateJobResponse;
    await waitFor(job.jobId, ['completed']);
    const [a, b] = await Promise.all([call(`/api/tts/${job.jobId}`, { method: 'DELETE' }), call(`/api/tts/${job.jobId}`, { method: 'DELETE' })]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 404]);
    await expectError(await call(`/api/tts/${job.jobId}`), 404, 'job_not_found');
  });

  it('answers unknown API routes with a JSON 404', async () => {
    await expectError(await call('/api/nope'), 404, 'not_found');
  });
});
