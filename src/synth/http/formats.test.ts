// Every response_format from the real synthesis service with the real eSpeak
// engine: the type read back by music-metadata, the audio decoded by a kept
// decoder and matched against the WAV of the same input, the duration headers
// equal to what the decoder produced, and the official `openai` client.

import { parseBuffer } from 'music-metadata';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../core/audio/wav.ts';
import { RESPONSE_FORMATS, type ResponseFormat } from '../../core/openai/speech.ts';
import { scanMp3 } from '../../edge/backend/audio/mp3.ts';
import { scanOggOpus } from '../../edge/backend/audio/oggOpus.ts';
import { decodeAudio, envelopeMatch, pcm16ToFloat, type Decoded } from '../encoders/testing/decode.ts';
import { startSynthServer, type SynthServer } from '../server.ts';

const TEXT = 'Hello there. This is Lector speaking, in every format that OpenAI names.';
let server: SynthServer;
let reference: { pcm: Uint8Array; decoded: Decoded; durationMs: number };

beforeAll(async () => {
  server = await startSynthServer({ port: 0, manager: { workerPool: { minWorkers: 1, maxWorkers: 1 } }, deps: { log: () => {} } });
  const wav = parseWav(new Uint8Array(await (await speech({ input: TEXT, voice: 'alloy', response_format: 'wav' })).arrayBuffer()));
  reference = { pcm: wav.pcm, decoded: { samples: pcm16ToFloat(wav.pcm), sampleRate: wav.format.sampleRate }, durationMs: wav.durationMs };
}, 60_000);

afterAll(async () => {
  await server?.close();
});

// A fresh connection per request: decoding between requests can outlast the server's 5 s keep-alive
// on a loaded machine, and a POST on a socket the server just closed fails with ECONNRESET.
const FRESH = { connection: 'close' };

function speech(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json', ...FRESH }, body: JSON.stringify(body) });
}

const EXPECTED: Record<ResponseFormat, { contentType: string; container?: string; codec?: RegExp }> = {
  mp3: { contentType: 'audio/mpeg', container: 'MPEG', codec: /MPEG 2 Layer 3/ },
  opus: { contentType: 'audio/opus', container: 'Ogg', codec: /Opus/ },
  aac: { contentType: 'audio/aac', container: 'ADTS/MPEG-4', codec: /AAC/ },
  flac: { contentType: 'audio/flac', container: 'FLAC', codec: /FLAC/ },
  wav: { contentType: 'audio/wav', container: 'WAVE', codec: /PCM/ },
  pcm: { contentType: 'audio/pcm' },
};

describe('POST /v1/audio/speech with each response_format (real eSpeak)', () => {
  it('answers MP3 when no response_format is given (OpenAI default)', async () => {
    const res = await speech({ input: TEXT, voice: 'alloy' });
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(scanMp3(new Uint8Array(await res.arrayBuffer()))).not.toBeNull();
  });

  it.each(RESPONSE_FORMATS.map((f) => [f]))('%s: right type, decodable, same speech as the WAV, exact duration headers', async (format) => {
    const res = await speech({ input: TEXT, voice: 'alloy', response_format: format });
    expect(res.status).toBe(200);
    const want = EXPECTED[format];
    expect(res.headers.get('content-type')).toBe(want.contentType);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (want.container) {
      const meta = await parseBuffer(bytes, { mimeType: want.contentType });
      expect(meta.format.container).toBe(want.container);
      expect(meta.format.codec).toMatch(want.codec!);
      expect(meta.format.numberOfChannels).toBe(1);
    }
    const decoded = await decodeAudio(format, bytes);
    const decodedMs = (decoded.samples.length / decoded.sampleRate) * 1000;
    // Lossy codecs add an encoder delay and pad the last frame: at most ~110 ms here.
    expect(decodedMs).toBeGreaterThanOrEqual(reference.durationMs - 1);
    expect(decodedMs).toBeLessThan(reference.durationMs + 120);
    const match = envelopeMatch(reference.decoded, decoded);
    expect(match.correlation).toBeGreaterThan(0.95);
    expect(Math.abs(match.lagMs)).toBeLessThanOrEqual(80);
    // The headers give the encoded stream's exact length, which is what the decoder produced.
    const samples = Number(res.headers.get('x-lector-duration-samples'));
    const rate = Number(res.headers.get('x-lector-duration-rate'));
    expect(Number(res.headers.get('x-lector-duration-ms'))).toBe(Math.round((samples / rate) * 1000));
    if (format !== 'aac') expect(samples).toBe(decoded.samples.length);
    if (format === 'flac' || format === 'pcm' || format === 'wav') {
      // Lossless: the very same 16-bit samples (decoders scale by 32767 or 32768).
      let worst = 0;
      for (let i = 0; i < decoded.samples.length; i++) worst = Math.max(worst, Math.abs(decoded.samples[i]! - reference.decoded.samples[i]!));
      expect(worst * 32768).toBeLessThan(1.01);
    }
  });

  it('mp3 is a chunk that concatenates: CBR 48 kb/s 22.05 kHz mono raw frames, no ID3 tag, no Xing/Info frame', async () => {
    const bytes = new Uint8Array(await (await speech({ input: TEXT, voice: 'alloy', response_format: 'mp3' })).arrayBuffer());
    const meta = await parseBuffer(bytes, { mimeType: 'audio/mpeg' });
    expect(meta.format).toMatchObject({ sampleRate: 22050, bitrate: 48000, codecProfile: 'CBR', tagTypes: [] });
    expect([bytes[0], bytes[1]! & 0xe0]).toEqual([0xff, 0xe0]);
    expect(scanMp3(bytes)).toMatchObject({ leadingBytes: 0, infoFrame: false, constantBitrate: true, trailingBytes: 0, truncated: false, sampleRate: 22050 });
    // Two chunks back to back decode to the sum of their samples.
    const twice = new Uint8Array([...bytes, ...bytes]);
    const once = await decodeAudio('mp3', bytes);
    expect((await decodeAudio('mp3', twice)).samples.length).toBe(2 * once.samples.length);
  });

  it('word timings follow the decoded audio: MP3 and AAC shift them by their codec delay, Opus and FLAC do not', async () => {
    const words = async (format: string) => {
      const res = await speech({ input: TEXT, voice: 'alloy', response_format: format });
      await res.arrayBuffer();
      return JSON.parse(res.headers.get('x-lector-words')!) as number[][];
    };
    const wav = await words('wav');
    expect(wav.length).toBeGreaterThan(5);
    const shifted = (ms: number) => wav.map(([o, l, s, e]) => [o, l, s! + ms, e! + ms]);
    expect(await words('mp3')).toEqual(shifted(50)); // 1,105 samples at 22,050 Hz
    expect(await words('aac')).toEqual(shifted(46)); // 1,024 samples
    expect(await words('opus')).toEqual(wav);
    expect(await words('flac')).toEqual(wav);
  });

  it('opus is one Ogg Opus stream: OpusHead, OpusTags, pre-skip, end-of-stream, 48 kHz granules', async () => {
    const bytes = new Uint8Array(await (await speech({ input: TEXT, voice: 'alloy', response_format: 'opus' })).arrayBuffer());
    const scan = scanOggOpus(bytes);
    expect(scan).toMatchObject({ channels: 1, preSkip: 312, inputSampleRate: 48000, ended: true });
    expect(Math.abs(scan.durationMs - reference.durationMs)).toBeLessThan(2);
    const meta = await parseBuffer(bytes, { mimeType: 'audio/ogg' });
    expect(meta.format.duration! * 1000).toBeCloseTo(scan.durationMs, 0);
  });

  it('a 16 kHz Flite voice gives MPEG-2 16 kHz MP3 and 48 kHz Opus of its length', async () => {
    const wav = parseWav(new Uint8Array(await (await speech({ input: 'Flite speaks too.', voice: 'flite:slt', response_format: 'wav' })).arrayBuffer()));
    expect(wav.format.sampleRate).toBe(16000);
    const mp3 = await decodeAudio('mp3', new Uint8Array(await (await speech({ input: 'Flite speaks too.', voice: 'flite:slt', response_format: 'mp3' })).arrayBuffer()));
    expect(mp3.sampleRate).toBe(16000);
    const opus = await decodeAudio('opus', new Uint8Array(await (await speech({ input: 'Flite speaks too.', voice: 'flite:slt', response_format: 'opus' })).arrayBuffer()));
    expect(Math.abs((opus.samples.length / 48) - wav.durationMs)).toBeLessThan(2);
  });

  it('speed is validated and passed on', async () => {
    const bad = await speech({ input: TEXT, voice: 'alloy', speed: 4.01 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: 'speed', code: 'validation_failed' } });
    const fast = await speech({ input: TEXT, voice: 'alloy', response_format: 'wav', speed: 2 });
    expect(fast.status).toBe(200);
    await fast.arrayBuffer();
  });
});

describe('the official openai client', () => {
  it.each(RESPONSE_FORMATS.map((f) => [f]))('audio.speech.create with response_format %s', async (format) => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'local', defaultHeaders: FRESH });
    const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: TEXT, response_format: format });
    expect(res.headers.get('content-type')).toBe(EXPECTED[format].contentType);
    const decoded = await decodeAudio(format, new Uint8Array(await res.arrayBuffer()));
    expect(envelopeMatch(reference.decoded, decoded).correlation).toBeGreaterThan(0.95);
  });
});
