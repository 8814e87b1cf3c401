// The backend's streamed WAV path, in workerd with the local R2: a canonical
// WAV is stored byte for byte without being read into the isolate; a WAV of
// any other shape is read whole and rewritten as before; a body shorter or
// longer than its Content-Length is never stored.
import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import type { RawTtsFailure, RawTtsRequest, RawTtsResponse } from '../../core/api/types.ts';
import { WAV_HEADER_BYTES, encodeWav, parseWav } from '../../core/audio/wav.ts';
import { synthesizeChunk, type BackendEnv } from './synthesizeChunk.ts';
import { canonicalWavHeader } from './wavPassThrough.ts';

const FORMAT = { channels: 1, sampleRate: 22050, bitsPerSample: 16 } as const;

function pcm(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 7 + (i >> 9)) & 0xff;
  return out;
}

/** Byte equality without a deep-equality walk over megabytes. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A body served in small pieces, as a socket would deliver it. */
function pieces(bytes: Uint8Array, size = 16_384): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.byteLength) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** A provider answering every request with `body` and the given Content-Length. */
function serving(body: Uint8Array, contentLength = body.byteLength): typeof fetch {
  return async () => new Response(pieces(body), { headers: { 'content-type': 'audio/wav', 'content-length': String(contentLength) } });
}

const backendEnv = { TTS_AUDIO_BUCKET: env.TTS_AUDIO_BUCKET, SYNTH_URL: 'http://provider.test', STREAM_WAV_TO_R2: '1' } as BackendEnv;

function req(jobId = crypto.randomUUID()): RawTtsRequest {
  return { jobId, sentenceIndex: 0, text: 'A chunk.', voiceId: 'espeak:en-us', timeoutMs: 30_000 };
}

async function stored(r: RawTtsResponse | RawTtsFailure): Promise<{ res: RawTtsResponse; bytes: Uint8Array }> {
  if ('error' in r) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  const obj = await env.TTS_AUDIO_BUCKET.get(r.r2Key);
  return { res: r, bytes: new Uint8Array(await obj!.arrayBuffer()) };
}

describe('streamed WAV', () => {
  it('stores a canonical WAV byte for byte, with its duration from the header', async () => {
    // 6 s at 22,050 Hz (a body made in JS pipes slowly into the local R2; the 1,000-character test below is bigger)
    const wav = encodeWav(pcm(264_600), FORMAT);
    const { res, bytes } = await stored(await synthesizeChunk(backendEnv, req(), { fetch: serving(wav) }));
    expect(same(bytes, wav)).toBe(true);
    expect(res).toMatchObject({ mimeType: 'audio/wav', bytes: wav.byteLength, durationMs: 6_000 });
    expect(canonicalWavHeader(wav.subarray(0, WAV_HEADER_BYTES), wav.byteLength)).toEqual({ format: FORMAT, durationMs: 6_000 });
  });

  it('reads a WAV with an extra chunk whole and stores it canonical, as before', async () => {
    const data = pcm(44_100);
    const canonical = encodeWav(data, FORMAT);
    // RIFF, WAVE, fmt (as written), a LIST chunk, then data.
    const list = new Uint8Array([...new TextEncoder().encode('LIST'), 4, 0, 0, 0, ...new TextEncoder().encode('INFO')]);
    const odd = new Uint8Array(canonical.byteLength + list.byteLength);
    odd.set(canonical.subarray(0, 36), 0);
    odd.set(list, 36);
    odd.set(canonical.subarray(36), 36 + list.byteLength);
    new DataView(odd.buffer).setUint32(4, odd.byteLength - 8, true);
    expect(canonicalWavHeader(odd.subarray(0, 44), odd.byteLength)).toBeNull();
    const { res, bytes } = await stored(await synthesizeChunk(backendEnv, req(), { fetch: serving(odd) }));
    expect(same(bytes, canonical)).toBe(true);
    expect(same(parseWav(bytes).pcm, data)).toBe(true);
    expect(res.durationMs).toBe(1000);
  });

  it('never stores an answer cut short or longer than its Content-Length: the chunk is retried', async () => {
    const wav = encodeWav(pcm(200_000), FORMAT);
    for (const [body, length] of [
      [wav.subarray(0, wav.byteLength - 5_000), wav.byteLength], // the connection dropped
      [wav, wav.byteLength - 5_000], // more than announced (header says the announced length)
    ] as const) {
      const announced = new Uint8Array(body);
      const v = new DataView(announced.buffer);
      v.setUint32(4, length - 8, true);
      v.setUint32(40, length - WAV_HEADER_BYTES, true);
      const jobId = crypto.randomUUID();
      const r = await synthesizeChunk(backendEnv, req(jobId), { fetch: serving(announced, length) });
      expect('error' in r && r.error).toMatchObject({ retryable: true });
      expect(await env.TTS_AUDIO_BUCKET.head(`tts_audio/${jobId}/0.wav`)).toBeNull();
    }
  });

  it('a 1,000-character chunk from the real service is stored streamed, equal to the service’s own bytes', async () => {
    const text = 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. '.repeat(9).trim();
    const direct = await fetch(`${inject('synthUrl')}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: text, voice: 'espeak:en-us', response_format: 'wav' }),
    });
    const expected = new Uint8Array(await direct.arrayBuffer());
    // The service states the length, and its WAV is canonical: the streamed path applies.
    expect(Number(direct.headers.get('content-length'))).toBe(expected.byteLength);
    expect(canonicalWavHeader(expected.subarray(0, WAV_HEADER_BYTES), expected.byteLength)).not.toBeNull();
    const real = { ...backendEnv, SYNTH_URL: inject('synthUrl') } as BackendEnv;
    const { res, bytes } = await stored(await synthesizeChunk(real, { ...req(), text }));
    expect(same(bytes, expected)).toBe(true); // eSpeak NG is deterministic
    expect(res.bytes).toBe(expected.byteLength);
    expect(res.durationMs).toBe(parseWav(expected).durationMs);
    expect(res.words?.length).toBeGreaterThan(150);
  });
});
