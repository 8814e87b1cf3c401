// The bad-input corpus (issue 6 §2): each case asserts its status and error
// code, that the service stays healthy, and — at the end — that a job running
// beside all of it finished untouched, its audio byte-exact.
import { request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CreateJobResponse } from '../../src/core/api/types.ts';
import { parseWav } from '../../src/core/audio/wav.ts';
import { expectedJobPcm } from '../support/expected-audio.ts';
import { waitForJobEnd } from '../support/job-end.ts';
import { sharedStack, type SharedStack } from '../support/shared-stack.ts';
import { BAD_DOCUMENTS } from '../fixtures/books/index.ts';

interface Case {
  name: string;
  method?: string;
  path?: string | ((ctx: Ctx) => string);
  headers?: Record<string, string>;
  body?: string | Uint8Array | (() => string | Uint8Array);
  status: number;
  code?: string;
  /** For accepted texts: the job must complete. */
  completes?: boolean;
  check?: (body: Record<string, unknown>) => void;
}

interface Ctx {
  jobId: string;
}

const JSON_CT = { 'content-type': 'application/json' };
const tts = (body: unknown): Pick<Case, 'method' | 'path' | 'headers' | 'body'> => ({ method: 'POST', path: '/api/tts', headers: JSON_CT, body: JSON.stringify(body) });
const UUID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

const CASES: Case[] = [
  { name: 'empty text', ...tts({ text: '' }), status: 400, code: 'empty_text' },
  { name: 'whitespace only', ...tts({ text: ' \n\t \n ' }), status: 400, code: 'empty_text' },
  { name: 'punctuation only', ...tts({ text: '... !!! ???' }), status: 202, completes: true },
  { name: '1,000,001 characters', ...tts({ text: 'a'.repeat(1_000_001) }), status: 413, code: 'text_too_long' },
  { name: 'invalid JSON', method: 'POST', path: '/api/tts', headers: JSON_CT, body: '{"text": "unterminated', status: 400, code: 'invalid_json' },
  { name: 'wrong content type', method: 'POST', path: '/api/tts', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'text=Hello.', status: 415, code: 'unsupported_media_type' },
  // A Uint8Array body: fetch adds no Content-Type (a string would get text/plain, which is a document upload).
  { name: 'no content type', method: 'POST', path: '/api/tts', body: new TextEncoder().encode('{"text":"Hello."}'), status: 415, code: 'unsupported_media_type' },
  { name: 'text is a number', ...tts({ text: 42 }), status: 400, code: 'validation_failed' },
  { name: 'text is null', ...tts({ text: null }), status: 400, code: 'validation_failed' },
  { name: 'text missing', ...tts({ voiceId: 'espeak:en-us' }), status: 400, code: 'validation_failed' },
  { name: 'voiceId is an object', ...tts({ text: 'Hi.', voiceId: { id: 1 } }), status: 400, code: 'validation_failed' },
  { name: 'maxTokens negative', ...tts({ text: 'Hi.', splitting: 'tokenCount', maxTokens: -3 }), status: 400, code: 'validation_failed' },
  { name: 'maxTokens a string', ...tts({ text: 'Hi.', maxTokens: '40' }), status: 400, code: 'validation_failed' },
  { name: 'maxChunkChars below 100', ...tts({ text: 'Hi.', maxChunkChars: 50 }), status: 400, code: 'validation_failed', check: (b) => expect(JSON.stringify(b)).toContain('maxChunkChars') },
  { name: 'maxChunkChars negative', ...tts({ text: 'Hi.', maxChunkChars: -1 }), status: 400, code: 'validation_failed' },
  { name: 'maxChunkChars a fraction', ...tts({ text: 'Hi.', maxChunkChars: 150.5 }), status: 400, code: 'validation_failed' },
  { name: 'maxChunkChars a string', ...tts({ text: 'Hi.', maxChunkChars: '200' }), status: 400, code: 'validation_failed' },
  {
    name: "maxChunkChars over the voice's provider limit (names it)",
    ...tts({ text: 'Hi.', maxChunkChars: 5000 }),
    status: 400,
    code: 'validation_failed',
    check: (b) => expect(JSON.stringify(b)).toContain('4096'),
  },
  { name: 'maxChunkChars with tokenCount splitting', ...tts({ text: 'Hi.', splitting: 'tokenCount', maxChunkChars: 200 }), status: 400, code: 'validation_failed' },
  { name: 'maxChunkChars with SSML', ...tts({ text: '<speak>Hi.</speak>', inputFormat: 'ssml', maxChunkChars: 200 }), status: 400, code: 'validation_failed' },
  { name: 'maxChunkChars 0 (one paragraph per chunk)', ...tts({ text: 'One. Two.\n\nThree.', maxChunkChars: 0 }), status: 202, completes: true },
  { name: 'maxChunkChars at the limit', ...tts({ text: 'One. Two.\n\nThree.', maxChunkChars: 4096 }), status: 202, completes: true },
  { name: 'inline a string', ...tts({ text: 'Hi.', inline: 'yes' }), status: 400, code: 'validation_failed' },
  { name: 'body is an array', ...tts(['Hello']), status: 400, code: 'validation_failed' },
  { name: 'body is null', ...tts(null), status: 400, code: 'validation_failed' },
  {
    name: 'unknown voice (lists the valid ones)',
    ...tts({ text: 'Hi.', voiceId: 'espeak:xx-klingon' }),
    status: 400,
    code: 'unknown_voice',
    check: (b) => expect(JSON.stringify(b)).toContain('espeak:en-us'),
  },
  { name: 'unknown splitting preference', ...tts({ text: 'Hi.', splitting: 'paragraph' }), status: 400, code: 'unknown_splitting' },
  { name: 'splitting none over 500 characters', ...tts({ text: 'word '.repeat(150), splitting: 'none' }), status: 413, code: 'chunk_too_long' },
  { name: 'control characters', ...tts({ text: 'Bell\u0007 and\u0000 null\u001b[31m escape. Form\ffeed.' }), status: 202, completes: true },
  { name: 'lone surrogates', method: 'POST', path: '/api/tts', headers: JSON_CT, body: '{"text":"Broken \\ud800 pair \\udc00 here."}', status: 202, completes: true },
  { name: '10,000 emoji', ...tts({ text: '😀'.repeat(10_000) }), status: 202, completes: true },
  { name: 'right-to-left text', ...tts({ text: 'שלום עולם. مرحبا بالعالم.', voiceId: 'espeak:en-us' }), status: 202, completes: true },
  { name: 'CJK text', ...tts({ text: '你好，世界。今天天气很好。こんにちは。' }), status: 202, completes: true },
  { name: 'a 5,000-character word', ...tts({ text: 'x'.repeat(5000) }), status: 202, completes: true },
  { name: 'SSML tags', ...tts({ text: '<speak><prosody rate="x-slow">Read <break time="9s"/> me</prosody></speak>' }), status: 202, completes: true },
  { name: 'HTML and script tags', ...tts({ text: '<script>alert(1)</script><b>Bold</b> &amp; done.' }), status: 202, completes: true },
  { name: 'body over 4.5 MB', method: 'POST', path: '/api/tts', headers: JSON_CT, body: () => JSON.stringify({ text: 'a'.repeat(4_600_000) }), status: 413, code: 'payload_too_large' },
  { name: 'path traversal job id', path: '/api/tts/..%2F..%2Fetc%2Fpasswd', status: 400, code: 'invalid_job_id' },
  { name: 'dotted job id', path: '/api/tts/..', status: 404, code: 'not_found' },
  { name: 'non-UUID job id', path: '/api/tts/12345', status: 400, code: 'invalid_job_id' },
  { name: 'job id with a query of its own', path: `/api/tts/${UUID}x/chunks/0`, status: 400, code: 'invalid_job_id' },
  { name: 'unknown job', path: `/api/tts/${UUID}`, status: 404, code: 'job_not_found' },
  { name: 'events of an unknown job', path: `/api/tts/${UUID}/events`, status: 404, code: 'job_not_found' },
  { name: 'negative chunk index', path: (c) => `/api/tts/${c.jobId}/chunks/-1`, status: 400, code: 'invalid_chunk_index' },
  { name: 'huge chunk index', path: (c) => `/api/tts/${c.jobId}/chunks/123456789012345`, status: 400, code: 'invalid_chunk_index' },
  { name: 'chunk index past the end', path: (c) => `/api/tts/${c.jobId}/chunks/99999`, status: 404, code: 'chunk_not_found' },
  { name: 'non-numeric chunk index', path: (c) => `/api/tts/${c.jobId}/chunks/abc`, status: 400, code: 'invalid_chunk_index' },
  { name: 'garbage Last-Event-ID', path: (c) => `/api/tts/${c.jobId}/events`, headers: { 'last-event-id': 'DROP TABLE' }, status: 400, code: 'bad_request' },
  { name: 'bad pause on full audio', path: (c) => `/api/tts/${c.jobId}/audio?sentencePauseMs=-5`, status: 400, code: 'bad_request' },
  { name: 'DELETE of an unknown job', method: 'DELETE', path: `/api/tts/${UUID}`, status: 404, code: 'job_not_found' },
  { name: 'unknown API route', path: '/api/does-not-exist', status: 404, code: 'not_found' },
  { name: 'PUT on a job', method: 'PUT', path: (c) => `/api/tts/${c.jobId}`, headers: JSON_CT, body: '{}', status: 404, code: 'not_found' },
  { name: 'huge headers', path: '/api/voices', headers: { 'x-padding': 'p'.repeat(200_000) }, status: 431, code: 'headers_too_large' },
  { name: 'OpenAI endpoint without input', method: 'POST', path: '/v1/audio/speech', headers: JSON_CT, body: '{"voice":"alloy"}', status: 400, code: 'validation_failed' },
  { name: 'OpenAI endpoint with unknown voice', method: 'POST', path: '/v1/audio/speech', headers: JSON_CT, body: '{"voice":"nope","input":"Hi."}', status: 400, code: 'unknown_voice' },
  { name: 'OpenAI endpoint speed as text', method: 'POST', path: '/v1/audio/speech', headers: JSON_CT, body: '{"voice":"alloy","input":"Hi.","speed":"fast"}', status: 400, code: 'validation_failed' },
];

// Bad documents uploaded as the raw body (issue 11 §1): each refusal with its own code.
CASES.push(
  ...BAD_DOCUMENTS.map((d): Case => ({ name: `document: ${d.name}`, method: 'POST', path: '/api/tts', headers: { 'content-type': d.contentType }, body: d.body, status: d.status, code: d.code })),
  { name: 'document: audioFormat not offered', method: 'POST', path: '/api/tts?audioFormat=aiff', headers: { 'content-type': 'text/plain' }, body: 'Hello.', status: 400, code: 'invalid_audio_format' },
  { name: 'document: chapter selection out of range', method: 'POST', path: '/api/tts?chapters=3-9', headers: { 'content-type': 'text/markdown' }, body: '# One\n\nText.\n\n# Two\n\nMore.', status: 400, code: 'invalid_chapter_selection' },
  { name: 'document: maxChunkChars not a number', method: 'POST', path: '/api/tts?maxChunkChars=lots', headers: { 'content-type': 'text/plain' }, body: 'Hello.', status: 400, code: 'validation_failed' },
  { name: 'document: markdown with nothing to read', method: 'POST', path: '/api/tts', headers: { 'content-type': 'text/markdown' }, body: '![only an image](x.png)\n\n```\ncode\n```', status: 400, code: 'document_empty' },
);

/**
 * POSTs a body the server refuses by its Content-Length before reading it: the
 * server answers and closes while the upload is still going, which fetch reports
 * as EPIPE; node:http hands over the answer that arrived.
 */
function postLarge(url: string, headers: Record<string, string>, body: Uint8Array): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve(new Response(Buffer.concat(parts), { status: res.statusCode ?? 0 })));
      res.on('error', reject);
    });
    req.on('error', () => undefined /* EPIPE after the early answer: the answer is what counts */);
    req.end(body);
  });
}

describe('bad input', () => {
  let stack: SharedStack;
  let side: CreateJobResponse;
  let sideText: string;
  const ctx: Ctx = { jobId: '' };

  beforeAll(async () => {
    stack = await sharedStack();
    // The job that must be unaffected by everything below.
    sideText = Array.from({ length: 30 }, (_, i) => `Steady line number ${i} keeps going.`).join('\n\n');
    side = (await (await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: JSON_CT, body: JSON.stringify({ text: sideText }) })).json()) as CreateJobResponse;
    ctx.jobId = side.jobId;
  });

  it.each(CASES)('$name → $status $code', async (c) => {
    const path = typeof c.path === 'function' ? c.path(ctx) : (c.path ?? '/api/tts');
    const body = typeof c.body === 'function' ? c.body() : c.body;
    const res = body instanceof Uint8Array && body.length > 8 * 1024 * 1024 ? await postLarge(`${stack.edgeUrl}${path}`, c.headers ?? {}, body) : await fetch(`${stack.edgeUrl}${path}`, { method: c.method ?? 'GET', headers: c.headers, body });
    expect(res.status).toBe(c.status);
    const text = await res.text();
    if (c.code) {
      const parsed = JSON.parse(text) as { error: { code: string; message: string } };
      expect(parsed.error.code).toBe(c.code);
      expect(parsed.error.message.length).toBeGreaterThan(0);
      c.check?.(parsed as unknown as Record<string, unknown>);
    }
    if (c.completes) {
      const { jobId } = JSON.parse(text) as CreateJobResponse;
      const state = await waitForJobEnd(stack.edgeUrl, jobId);
      expect(state.status).toBe('completed');
    }
    // The service stays healthy after every case.
    expect((await fetch(`${stack.edgeUrl}/api/health`)).status).toBe(200);
    expect((await fetch(`${stack.synthUrl}/health`)).status).toBe(200);
  });

  it('answers every refused case with its own error when all of them arrive at once', async () => {
    const refused = CASES.filter((c) => c.status >= 400);
    const results = await Promise.all(
      refused.map(async (c) => {
        const path = typeof c.path === 'function' ? c.path(ctx) : (c.path ?? '/api/tts');
        const body = typeof c.body === 'function' ? c.body() : c.body;
        const res = await fetch(`${stack.edgeUrl}${path}`, { method: c.method ?? 'GET', headers: c.headers, body });
        const text = await res.text();
        return { name: c.name, status: res.status, code: c.code ? (JSON.parse(text) as { error: { code: string } }).error.code : undefined };
      }),
    );
    expect(results).toEqual(refused.map((c) => ({ name: c.name, status: c.status, code: c.code })));
    expect((await fetch(`${stack.edgeUrl}/api/health`)).status).toBe(200);
    expect((await fetch(`${stack.synthUrl}/health`)).status).toBe(200);
  });

  it('two DELETEs of the same job at once: one 200, one 404', async () => {
    const job = (await (await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: JSON_CT, body: JSON.stringify({ text: 'Delete me twice.' }) })).json()) as CreateJobResponse;
    await waitForJobEnd(stack.edgeUrl, job.jobId);
    const [a, b] = await Promise.all([
      fetch(`${stack.edgeUrl}/api/tts/${job.jobId}`, { method: 'DELETE' }),
      fetch(`${stack.edgeUrl}/api/tts/${job.jobId}`, { method: 'DELETE' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 404]);
    // Any request on the deleted (or expired: same path) job is a clear 404.
    for (const p of ['', '/events', '/chunks/0', '/audio', '/captions.vtt']) {
      const res = await fetch(`${stack.edgeUrl}/api/tts/${job.jobId}${p}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('job_not_found');
    }
  });

  it('left the job running beside it untouched: completed, one attempt per chunk, audio byte-exact', async () => {
    const state = await waitForJobEnd(stack.edgeUrl, side.jobId);
    expect(state.status).toBe('completed');
    expect(state.chunks!.every((ch) => ch.attempts === 1 && ch.lastError === null)).toBe(true);
    const wav = parseWav(new Uint8Array(await (await fetch(`${stack.edgeUrl}/api/tts/${side.jobId}/audio`)).arrayBuffer()));
    const expected = await expectedJobPcm(state.chunks!);
    expect(Buffer.from(wav.pcm).equals(expected)).toBe(true);
  });
});
