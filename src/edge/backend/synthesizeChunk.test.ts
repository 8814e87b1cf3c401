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
import { mp3DurationMs } from './audio/mp3.ts';
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

function req(voiceId: string, text: string, index = 0, jobId: string = crypto.randomUUID()): RawTtsRequest {
  return { jobId, sentenceIndex: index, text, voiceId, timeoutMs: 30_000 };
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
