// The backend's chunk path with several providers configured: per-voice
// routing (the real synthesis service, the Google double, a fake Workers AI
// binding), what lands in R2 (canonical WAV, or MP3 as audio/mpeg), the merged
// voice catalog, per-voice limits, and configuration errors that fail every
// call naming the field.
import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import type { RawTtsFailure, RawTtsRequest, RawTtsResponse } from '../../core/api/types.ts';
import { WAV_HEADER_BYTES, parseWav } from '../../core/audio/wav.ts';
import { bytesToBase64 } from '../../core/base64.ts';
import { mp3DurationMs, scanMp3 } from './audio/mp3.ts';
import { scanOggOpus } from './audio/oggOpus.ts';
import { createGoogleTtsDouble, DOUBLE_API_KEY, doubleMp3, doublePcm } from './providers/testing/googleDouble.ts';
import type { AiRunner } from './providers/workersAi.ts';
import { CONFIG_INVALID_BACKEND, listVoices, synthBackends, synthesizeChunk, voiceLimits, type BackendEnv } from './synthesizeChunk.ts';

const GOOGLE = 'http://google.double';

const PROVIDERS = {
  default: 'local',
  providers: {
    local: { type: 'openai-compatible' },
    gcloud: { type: 'google', baseUrl: GOOGLE, maxConcurrency: 2 },
    melo: { type: 'workers-ai', model: '@cf/myshell-ai/melotts', maxChars: 300 },
  },
  voices: {
    'google:en-US-Neural2-C': { provider: 'gcloud', voice: 'en-US-Neural2-C', name: 'Neural2 C' },
    'melo:en': { provider: 'melo', voice: 'en' },
  },
};

function world(vars: Record<string, unknown> = { PROVIDERS: JSON.stringify(PROVIDERS) }) {
  const google = createGoogleTtsDouble();
  const aiCalls: Record<string, unknown>[] = [];
  const ai: AiRunner = {
    async run(_model, inputs) {
      aiCalls.push(inputs);
      return { audio: bytesToBase64(doubleMp3(String(inputs.prompt))) };
    },
  };
  const backendEnv = {
    TTS_AUDIO_BUCKET: env.TTS_AUDIO_BUCKET,
    SYNTH_URL: inject('synthUrl'),
    GOOGLE_TTS_API_KEY: DOUBLE_API_KEY,
    AI: ai,
    ...vars,
  } as BackendEnv;
  const fetcher: typeof fetch = (input, init) => {
    const req = new Request(input, init);
    return req.url.startsWith(GOOGLE) ? google.fetch(req) : fetch(req);
  };
  return { google, aiCalls, backendEnv, fetcher };
}

function req(voiceId: string, text: string, index = 0, jobId: string = crypto.randomUUID(), format?: RawTtsRequest['format']): RawTtsRequest {
  return { jobId, sentenceIndex: index, text, voiceId, timeoutMs: 30_000, ...(format ? { format } : {}) };
}

function ok(r: RawTtsResponse | RawTtsFailure): RawTtsResponse {
  if ('error' in r) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r;
}

function failed(r: RawTtsResponse | RawTtsFailure): RawTtsFailure['error'] {
  if (!('error' in r)) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r.error;
}

describe('per-voice routing', () => {
  it('routes chunks of two voices, in flight together, to two providers and stores canonical WAV for both', async () => {
    const { google, backendEnv, fetcher } = world();
    const jobA = crypto.randomUUID();
    const jobB = crypto.randomUUID();
    const texts = ['Hello there.', 'This is Lector speaking.', 'Goodbye for now.'];
    const results = await Promise.all(
      texts.flatMap((t, i) => [
        synthesizeChunk(backendEnv, req('espeak:en-us', t, i, jobA), { fetch: fetcher }),
        synthesizeChunk(backendEnv, req('google:en-US-Neural2-C', t, i, jobB), { fetch: fetcher }),
      ]),
    );
    const [a, b] = [results.filter((_, k) => k % 2 === 0).map(ok), results.filter((_, k) => k % 2 === 1).map(ok)];
    // Only the google voice reached the double, with Google's own voice name.
    expect(google.requests.map((r) => (r.body as { input: { text: string } }).input.text).sort()).toEqual([...texts].sort());
    expect(google.requests.every((r) => (r.body as { voice: { name: string } }).voice.name === 'en-US-Neural2-C')).toBe(true);
    for (const [i, r] of a.entries()) {
      expect(r).toMatchObject({ r2Key: `tts_audio/${jobA}/${i}.wav`, mimeType: 'audio/wav' });
      const obj = await env.TTS_AUDIO_BUCKET.get(r.r2Key);
      const wav = parseWav(new Uint8Array(await obj!.arrayBuffer()));
      expect(wav.format.sampleRate).toBe(22050); // eSpeak NG through the synthesis service
      expect(obj!.customMetadata?.provider).toBe('local');
      expect(r.words?.length).toBeGreaterThan(0);
    }
    for (const [i, r] of b.entries()) {
      expect(r).toMatchObject({ r2Key: `tts_audio/${jobB}/${i}.wav`, mimeType: 'audio/wav' });
      const obj = await env.TTS_AUDIO_BUCKET.get(r.r2Key);
      expect(obj!.httpMetadata?.contentType).toBe('audio/wav');
      expect(obj!.customMetadata?.provider).toBe('gcloud');
      const bytes = new Uint8Array(await obj!.arrayBuffer());
      expect(bytes.byteLength).toBe(r.bytes);
      const wav = parseWav(bytes);
      expect(bytes.byteLength).toBe(WAV_HEADER_BYTES + wav.pcm.byteLength); // canonical 44-byte header
      expect(wav.pcm).toEqual(doublePcm(texts[i]!, 'en-US-Neural2-C', 24000));
      expect(r.durationMs).toBe(wav.durationMs);
    }
  });

  it('stores an MP3-only provider’s chunk as audio/mpeg under .mp3, with its duration', async () => {
    const { aiCalls, backendEnv, fetcher } = world();
    const jobId = crypto.randomUUID();
    const r = ok(await synthesizeChunk(backendEnv, req('melo:en', 'Hello from Workers AI.', 3, jobId), { fetch: fetcher }));
    expect(aiCalls).toEqual([{ prompt: 'Hello from Workers AI.', lang: 'en' }]);
    expect(r).toMatchObject({ r2Key: `tts_audio/${jobId}/3.mp3`, mimeType: 'audio/mpeg' });
    const obj = await env.TTS_AUDIO_BUCKET.get(r.r2Key);
    expect(obj!.httpMetadata?.contentType).toBe('audio/mpeg');
    const bytes = new Uint8Array(await obj!.arrayBuffer());
    expect(bytes).toEqual(doubleMp3('Hello from Workers AI.'));
    expect(r.durationMs).toBe(mp3DurationMs(bytes));
  });

  it('passes unconfigured voice ids (alloy, espeak:*) through to the default OpenAI-compatible provider', async () => {
    const { backendEnv, fetcher } = world();
    expect(ok(await synthesizeChunk(backendEnv, req('alloy', 'Hi.'), { fetch: fetcher })).mimeType).toBe('audio/wav');
  });

  it('refuses a voice no provider takes when the default provider is not OpenAI-compatible', async () => {
    const { backendEnv, fetcher } = world({ PROVIDERS: JSON.stringify({ ...PROVIDERS, default: 'gcloud' }) });
    const e = failed(await synthesizeChunk(backendEnv, req('alloy', 'Hi.'), { fetch: fetcher }));
    expect(e).toMatchObject({ code: 'unknown_voice', status: 400, retryable: false });
    expect(e.message).toMatch(/PROVIDERS\.voices.*gcloud \(google\)/);
  });

  it('refuses a chunk over the provider’s maxChars without calling it', async () => {
    const { aiCalls, backendEnv, fetcher } = world();
    const e = failed(await synthesizeChunk(backendEnv, req('melo:en', 'word '.repeat(61)), { fetch: fetcher }));
    expect(e).toMatchObject({ code: 'chunk_too_long', status: 413, retryable: false });
    expect(e.message).toMatch(/305 characters.*melo takes at most 300/);
    expect(aiCalls).toHaveLength(0);
  });

  it('a provider error reaches the job classified: Google 429 retryable with Retry-After', async () => {
    const { google, backendEnv, fetcher } = world();
    google.failNext({ code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded', retryAfterSeconds: 1 });
    const e = failed(await synthesizeChunk(backendEnv, req('google:en-US-Neural2-C', 'Hi.'), { fetch: fetcher }));
    expect(e).toMatchObject({ code: 'rate_limited', status: 429, retryable: true, retryAfterMs: 1000 });
  });
});

/** The synthesis service's own answer for `text`, with its exact-duration headers. */
async function direct(text: string, format: string): Promise<{ bytes: Uint8Array; ms: number }> {
  const res = await fetch(`${inject('synthUrl')}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: text, voice: 'espeak:en-us', response_format: format }) });
  const ms = (Number(res.headers.get('x-lector-duration-samples')) / Number(res.headers.get('x-lector-duration-rate'))) * 1000;
  return { bytes: new Uint8Array(await res.arrayBuffer()), ms };
}

const exact = (ms: number) => Math.round(ms * 1000) / 1000;

describe('chunk formats (docs/formats.md)', () => {
  const TEXT = 'Chunks in every format the job asks for.';

  it('format mp3: stores the service’s raw CBR frames as audio/mpeg under .mp3, with the encoded duration (frames × 576)', async () => {
    const { backendEnv, fetcher } = world();
    const jobId = crypto.randomUUID();
    const r = ok(await synthesizeChunk(backendEnv, req('espeak:en-us', TEXT, 2, jobId, 'mp3'), { fetch: fetcher }));
    expect(r).toMatchObject({ r2Key: `tts_audio/${jobId}/2.mp3`, mimeType: 'audio/mpeg' });
    const obj = await env.TTS_AUDIO_BUCKET.get(r.r2Key);
    expect(obj!.httpMetadata?.contentType).toBe('audio/mpeg');
    const bytes = new Uint8Array(await obj!.arrayBuffer());
    const want = await direct(TEXT, 'mp3');
    expect(bytes).toEqual(want.bytes); // LAME and eSpeak are deterministic: the very bytes the service encodes
    const scan = scanMp3(bytes)!;
    expect(scan).toMatchObject({ sampleRate: 22050, leadingBytes: 0, infoFrame: false, constantBitrate: true, trailingBytes: 0 });
    expect(r.durationMs).toBe(exact((scan.frames * 576 * 1000) / 22050));
    expect(r.durationMs).toBe(exact(want.ms));
    expect(obj!.customMetadata?.durationMs).toBe(String(r.durationMs));
    expect(r.words?.length).toBeGreaterThan(0);
  });

  it('format opus: stores one Ogg Opus stream as audio/ogg under .opus, duration = last granule − pre-skip', async () => {
    const { backendEnv, fetcher } = world();
    const jobId = crypto.randomUUID();
    const r = ok(await synthesizeChunk(backendEnv, req('espeak:en-us', TEXT, 0, jobId, 'opus'), { fetch: fetcher }));
    expect(r).toMatchObject({ r2Key: `tts_audio/${jobId}/0.opus`, mimeType: 'audio/ogg' });
    const obj = await env.TTS_AUDIO_BUCKET.get(r.r2Key);
    expect(obj!.httpMetadata?.contentType).toBe('audio/ogg');
    const scan = scanOggOpus(new Uint8Array(await obj!.arrayBuffer()));
    expect(scan).toMatchObject({ channels: 1, preSkip: 312, ended: true });
    expect(r.durationMs).toBe(exact(scan.durationMs));
    const wav = ok(await synthesizeChunk(backendEnv, req('espeak:en-us', TEXT, 1, jobId, 'wav'), { fetch: fetcher }));
    expect(Math.abs(r.durationMs! - wav.durationMs!)).toBeLessThan(2); // Opus trims its delay: same length as the PCM
  });

  it('a provider that cannot make the job’s format keeps its own: MeloTTS asked for opus stores MP3', async () => {
    const { backendEnv, fetcher } = world();
    const r = ok(await synthesizeChunk(backendEnv, req('melo:en', 'Hello.', 0, crypto.randomUUID(), 'opus'), { fetch: fetcher }));
    expect(r.mimeType).toBe('audio/mpeg');
  });

  it('strips an ID3v2 tag, a Xing frame and an ID3v1 tag from a provider’s MP3 so chunks concatenate', async () => {
    const frame = (n: number) => {
      const out = new Uint8Array(96 * n);
      for (let f = 0; f < n; f++) out.set([0xff, 0xfb, 0x14, 0xc4], f * 96);
      return out;
    };
    const xing = frame(1);
    xing.set([0x58, 0x69, 0x6e, 0x67], 36); // "Xing"
    const id3 = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 10, ...new Array<number>(10).fill(0)]);
    const tail = new Uint8Array([0x54, 0x41, 0x47, ...new Array<number>(125).fill(0x20)]); // ID3v1 "TAG"
    const audio = frame(50);
    const served = new Uint8Array([...id3, ...xing, ...audio, ...tail]);
    const { backendEnv } = world({ PROVIDERS: JSON.stringify({ default: 'kokoro', providers: { kokoro: { type: 'openai-compatible', baseUrl: 'http://kokoro.double', format: 'mp3' } } }) });
    const fetcher: typeof fetch = async () => new Response(served, { headers: { 'content-type': 'audio/mpeg' } });
    const r = ok(await synthesizeChunk(backendEnv, req('af_bella', 'Hi.', 0, crypto.randomUUID(), 'mp3'), { fetch: fetcher }));
    const stored = new Uint8Array(await (await env.TTS_AUDIO_BUCKET.get(r.r2Key))!.arrayBuffer());
    expect(stored).toEqual(audio);
    expect(r).toMatchObject({ bytes: audio.byteLength, durationMs: 1200 });
  });

  it('refuses an unknown format (400) and a corrupted Ogg page (502, retryable)', async () => {
    const { backendEnv, fetcher } = world();
    const bad = failed(await synthesizeChunk(backendEnv, { ...req('espeak:en-us', 'Hi.'), format: 'flac' as 'wav' }, { fetch: fetcher }));
    expect(bad).toMatchObject({ code: 'unsupported_format', status: 400, retryable: false });
    const ogg = (await direct('Hi.', 'opus')).bytes;
    ogg[ogg.length - 1] ^= 0xff; // breaks the last page's CRC
    const kokoro = world({ PROVIDERS: JSON.stringify({ default: 'k', providers: { k: { type: 'openai-compatible', baseUrl: 'http://kokoro.double' } } }) });
    const fetchOgg: typeof fetch = async () => new Response(ogg, { headers: { 'content-type': 'audio/opus' } });
    const e = failed(await synthesizeChunk(kokoro.backendEnv, req('af_bella', 'Hi.', 0, crypto.randomUUID(), 'opus'), { fetch: fetchOgg }));
    expect(e).toMatchObject({ code: 'synthesis_failed', status: 502, retryable: true });
    expect(e.message).toMatch(/bad CRC/);
  });
});

describe('catalog, limits and backends', () => {
  it('merges the voice catalogs: configured voices and the synthesis service’s, each with its provider', async () => {
    const { backendEnv, fetcher } = world();
    const voices = await listVoices(backendEnv, { fetch: fetcher });
    expect(voices.find((v) => v.id === 'google:en-US-Neural2-C')).toEqual({ id: 'google:en-US-Neural2-C', name: 'Neural2 C', language: 'en-US', engine: 'google-cloud-tts', provider: 'gcloud' });
    expect(voices.find((v) => v.id === 'melo:en')).toMatchObject({ provider: 'melo', language: 'en', engine: '@cf/myshell-ai/melotts' });
    expect(voices.find((v) => v.id === 'espeak:en-us')).toMatchObject({ provider: 'local' });
    expect(new Set(voices.map((v) => v.provider))).toEqual(new Set(['gcloud', 'melo', 'local']));
    expect(new Set(voices.map((v) => v.id)).size).toBe(voices.length);
  });

  it('states each voice’s limits and the backends it may use', () => {
    const { backendEnv } = world();
    expect(voiceLimits(backendEnv, 'google:en-US-Neural2-C')).toEqual({
      voiceId: 'google:en-US-Neural2-C',
      provider: 'gcloud',
      providerType: 'google',
      maxChars: 1250,
      maxConcurrency: 2,
      formats: ['wav', 'mp3'],
      format: 'wav',
      mimeType: 'audio/wav',
      backends: ['gcloud:google'],
    });
    expect(voiceLimits(backendEnv, 'melo:en')).toMatchObject({ maxChars: 300, maxConcurrency: 4, formats: ['mp3'], format: 'mp3', mimeType: 'audio/mpeg' });
    expect(voiceLimits(backendEnv, 'espeak:en-us')).toMatchObject({ provider: 'local', maxChars: 4096, maxConcurrency: 16, backends: [inject('synthUrl')] });
    expect(synthBackends(backendEnv)).toEqual([inject('synthUrl'), 'gcloud:google', 'melo:workers-ai']);
  });

  it('without PROVIDERS, behaves as before: SYNTH_URL and SYNTH_URLS are the backends', () => {
    const { backendEnv } = world({ PROVIDERS: undefined, SYNTH_URLS: inject('faultProxyUrl') });
    expect(synthBackends(backendEnv)).toEqual([inject('synthUrl'), inject('faultProxyUrl')]);
    expect(voiceLimits(backendEnv, 'espeak:en-us')).toMatchObject({ provider: 'synth', providerType: 'openai-compatible' });
  });
});

describe('an invalid configuration', () => {
  it('fails every call with config_invalid naming the field', async () => {
    const bad = { ...PROVIDERS, providers: { ...PROVIDERS.providers, gcloud: { type: 'google', audioEncoding: 'OGG_OPUS' } } };
    const { backendEnv, fetcher } = world({ PROVIDERS: JSON.stringify(bad) });
    const e = failed(await synthesizeChunk(backendEnv, req('espeak:en-us', 'Hi.'), { fetch: fetcher }));
    expect(e).toMatchObject({ code: 'config_invalid', status: 500, retryable: false });
    expect(e.message).toMatch(/PROVIDERS\.providers\.gcloud\.audioEncoding/);
    await expect(listVoices(backendEnv, { fetch: fetcher })).rejects.toThrow(/PROVIDERS\.providers\.gcloud\.audioEncoding/);
    expect(() => voiceLimits(backendEnv, 'espeak:en-us')).toThrow(/config_invalid|invalid provider configuration/);
    // One pseudo-backend, so RouterCounter still dispatches and each chunk fails with the reason.
    expect(synthBackends(backendEnv)).toEqual([CONFIG_INVALID_BACKEND]);
  });

  it('a missing secret is a configuration error too, naming the field and the command', async () => {
    const { backendEnv, fetcher } = world({ PROVIDERS: JSON.stringify(PROVIDERS), GOOGLE_TTS_API_KEY: undefined });
    const e = failed(await synthesizeChunk(backendEnv, req('espeak:en-us', 'Hi.'), { fetch: fetcher }));
    expect(e.code).toBe('config_invalid');
    expect(e.message).toMatch(/PROVIDERS\.providers\.gcloud\.apiKeySecret: secret GOOGLE_TTS_API_KEY is not set \(deployed: wrangler secret put GOOGLE_TTS_API_KEY/);
  });
});

describe('test hooks', () => {
  it('FAULT_R2_WRITE_RATE fails writes as storage_failed (retryable) only with LECTOR_TEST_FAULTS=1, writing nothing', async () => {
    const { backendEnv, fetcher } = world({ PROVIDERS: undefined, FAULT_R2_WRITE_RATE: '1' });
    expect(ok(await synthesizeChunk(backendEnv, req('espeak:en-us', 'Hi.'), { fetch: fetcher })).mimeType).toBe('audio/wav');
    const jobId = crypto.randomUUID();
    const faulty = { ...backendEnv, LECTOR_TEST_FAULTS: '1' } as BackendEnv;
    const e = failed(await synthesizeChunk(faulty, req('espeak:en-us', 'Hi.', 0, jobId), { fetch: fetcher }));
    expect(e).toMatchObject({ code: 'storage_failed', status: 503, retryable: true });
    expect(await env.TTS_AUDIO_BUCKET.head(`tts_audio/${jobId}/0.wav`)).toBeNull();
  });
});
