// End-to-end through HTTP: the service's PCM equals the in-process reference
// synthesis byte for byte, for both response formats.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../core/audio/wav.ts';
import { synthesizeEspeakPcm } from './engines/espeak-direct.ts';
import { startSynthServer, type SynthServer } from './server.ts';

let server: SynthServer;

beforeAll(async () => {
  server = await startSynthServer({ port: 0, manager: { workerPool: { minWorkers: 1, maxWorkers: 1 } }, deps: { log: () => {} } });
}, 30_000);

afterAll(async () => {
  await server?.close();
});

async function speech(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('service output equals the direct reference', () => {
  const sentences = [
    ['Hello world. This is Lector speaking.', 'espeak:en-us'],
    ['The quick brown fox jumps over the lazy dog.', 'en-gb'],
    ['Markup like <b>bold</b> & entities &amp; stays text.', 'espeak:en-us'],
    ['Bonjour tout le monde.', 'espeak:fr-fr'],
  ] as const;

  it.each(sentences)('pcm: %s (%s)', async (text, voice) => {
    const res = await speech({ input: text, voice, response_format: 'pcm' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/pcm');
    const pcm = new Uint8Array(await res.arrayBuffer());
    const ref = await synthesizeEspeakPcm(text, voice);
    expect(res.headers.get('x-sample-rate')).toBe(String(ref.sampleRate));
    expect(pcm.byteLength).toBe(ref.pcm.byteLength);
    expect(Buffer.compare(Buffer.from(pcm), Buffer.from(ref.pcm))).toBe(0);
    expect(JSON.parse(res.headers.get('x-lector-words') ?? '[]')).toEqual(ref.words);
  });

  it('wav wraps the same PCM', async () => {
    const text = 'A second request, after others, still matches.';
    const res = await speech({ input: text, voice: 'alloy', model: 'tts-1', response_format: 'wav' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    const wav = parseWav(new Uint8Array(await res.arrayBuffer()));
    const ref = await synthesizeEspeakPcm(text, 'espeak:en-us');
    expect(wav.format).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    expect(Buffer.compare(Buffer.from(wav.pcm), Buffer.from(ref.pcm))).toBe(0);
    expect(Number(res.headers.get('x-lector-duration-ms'))).toBe(wav.durationMs);
    expect(res.headers.get('x-lector-engine')).toBe('espeak');
  });

  it('omits word timings that would not fit in a response header', async () => {
    const text = 'Many short words make a long header. '.repeat(90);
    const res = await speech({ input: text, voice: 'en-us', response_format: 'pcm' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-lector-words')).toBeNull();
    expect(Number(res.headers.get('x-lector-words-omitted'))).toBeGreaterThan(500);
    const ref = await synthesizeEspeakPcm(text, 'en-us');
    expect(Buffer.compare(Buffer.from(await res.arrayBuffer()), Buffer.from(ref.pcm))).toBe(0);
  });
});
