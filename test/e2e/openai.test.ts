// The official `openai` client against the orchestrator's long-form
// /v1/audio/speech, on the real stack: input far over OpenAI's 4,096
// characters, streamed back as one WAV whose PCM is byte-exact.
import OpenAI from 'openai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobState } from '../../src/core/api/types.ts';
import { parseWav } from '../../src/core/audio/wav.ts';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';
import { sharedStack, type SharedStack } from '../support/shared-stack.ts';
import { expectedJobPcm } from '../support/expected-audio.ts';
import { decodeAudio } from '../../src/synth/encoders/testing/decode.ts';
import { RESPONSE_CONTENT_TYPES, RESPONSE_FORMATS } from '../../src/core/openai/speech.ts';

describe('OpenAI-compatible long-form speech', () => {
  let stack: SharedStack;
  beforeAll(async () => {
    stack = await sharedStack();
  });

  it('speaks 5,000+ characters through the openai client, byte-exact and in order', async () => {
    const corpus = readFileSync(join(REPO_ROOT, 'test/fixtures/corpus/pride_and_prejudice.txt'), 'utf8');
    const start = corpus.indexOf('It is a truth universally acknowledged');
    const input = corpus.slice(start, start + 5200);
    expect(input.length).toBeGreaterThan(4096);
    const client = new OpenAI({ baseURL: `${stack.edgeUrl}/v1`, apiKey: 'local-dev' });
    const t0 = performance.now();
    const { data, response } = await client.audio.speech
      .create({ model: 'lector', voice: 'alloy', input, response_format: 'wav' })
      .withResponse();
    expect(response.headers.get('content-type')).toBe('audio/wav');
    const jobId = response.headers.get('x-lector-job-id')!;
    const reader = data.body!.getReader();
    const parts: Uint8Array[] = [];
    let firstByteMs: number | undefined;
    let atFirstByte: JobState | undefined;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (firstByteMs === undefined) {
        firstByteMs = performance.now() - t0;
        // Where the job was when the first audio arrived (read while the stream waits).
        atFirstByte = (await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}`)).json()) as JobState;
      }
      parts.push(value);
    }
    const wav = parseWav(new Uint8Array(Buffer.concat(parts)));
    expect(wav.format).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    const state = (await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}?include=chunks`)).json()) as JobState;
    expect(state.status).toBe('completed');
    const expected = await expectedJobPcm(state.chunks!);
    expect(wav.pcm.byteLength).toBe(expected.byteLength);
    expect(Buffer.from(wav.pcm).equals(expected)).toBe(true);
    // Streaming: the first audio arrived while most of the job was still to be synthesized.
    expect(atFirstByte!.status).not.toBe('completed');
    expect(atFirstByte!.counts.completed).toBeLessThan(state.totalSentences / 2);
    console.log(`openai e2e: first audio after ${firstByteMs!.toFixed(0)} ms, with ${atFirstByte!.counts.completed} of ${state.totalSentences} chunks done; whole job ${(performance.now() - t0).toFixed(0)} ms`);
  });

  it.each(RESPONSE_FORMATS)('long-form %s: the right type, decodable by a kept decoder, as long as the job', async (format) => {
    const input = Array.from({ length: 8 }, (_, i) => `Sentence number ${i + 1} of the long-form test.`).join(' ');
    const client = new OpenAI({ baseURL: `${stack.edgeUrl}/v1`, apiKey: 'local-dev' });
    const { data, response } = await client.audio.speech.create({ model: 'lector', voice: 'alloy', input, response_format: format }).withResponse();
    expect(response.headers.get('content-type')).toBe(RESPONSE_CONTENT_TYPES[format]);
    const bytes = new Uint8Array(await data.arrayBuffer());
    const decoded = await decodeAudio(format, bytes);
    const seconds = decoded.samples.length / decoded.sampleRate;
    // The job's chunks plus the designed pauses (AAC has none): within a codec's framing.
    const jobId = response.headers.get('x-lector-job-id')!;
    const state = (await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}?include=chunks`)).json()) as JobState;
    expect(state.status).toBe('completed');
    const speech = state.chunks!.reduce((ms, c) => ms + (c.durationMs ?? 0), 0) / 1000;
    const pauses = format === 'aac' ? 0 : state.chunks!.slice(1).reduce((ms, c) => ms + (c.paragraphStart ? 800 : 300), 0) / 1000;
    expect(Math.abs(seconds - (speech + pauses))).toBeLessThan(0.15 + 0.03 * state.chunks!.length);
    // Some sound, not silence.
    expect(decoded.samples.some((v) => Math.abs(v) > 0.05)).toBe(true);
  });

  it('answers bad input with OpenAI\'s error shape', async () => {
    const client = new OpenAI({ baseURL: `${stack.edgeUrl}/v1`, apiKey: 'local-dev' });
    await expect(client.audio.speech.create({ model: 'lector', voice: 'no-such-voice', input: 'Hi.' })).rejects.toMatchObject({ status: 400 });
    const res = await fetch(`${stack.edgeUrl}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input": 1}' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; type: string; code: string } };
    expect(body.error.type).toBe('invalid_request_error');
  });
});
