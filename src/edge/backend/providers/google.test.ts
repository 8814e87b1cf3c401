// The `google` provider against a double of Cloud Text-to-Speech built from
// Google's documented request and response shapes (providers/testing/
// googleDouble.ts), not against Google: no machine here reaches Google. The
// double is passed in as the provider's fetch; test/e2e/providers.test.ts
// runs the same double as an HTTP server behind the whole stack.
import { describe, expect, it } from 'vitest';
import { parseWav } from '../../../core/audio/wav.ts';
import { loadProviderConfig, type GoogleConfig } from './config.ts';
import { googleProvider, languageOf, type GoogleSynthesizeRequest } from './google.ts';
import { createGoogleTtsDouble, DOUBLE_API_KEY, doubleMp3, doublePcm } from './testing/googleDouble.ts';
import { providerFailure } from './testing/providerFailure.ts';
import type { SynthesisRequest } from './types.ts';

const BASE = 'http://google.double';

function setup(extra: Record<string, unknown> = {}, env: Record<string, unknown> = { GOOGLE_TTS_API_KEY: DOUBLE_API_KEY }) {
  const double = createGoogleTtsDouble();
  const config = loadProviderConfig({ PROVIDERS: { providers: { gcloud: { type: 'google', baseUrl: BASE, ...extra } } } });
  const cfg = config.providers.gcloud as GoogleConfig;
  const urls: string[] = [];
  const provider = googleProvider(cfg, {
    env,
    fetch: async (input, init) => {
      const req = new Request(input, init);
      urls.push(req.url);
      return double.fetch(req);
    },
  });
  return { double, provider, urls };
}

function request(text: string, over: Partial<SynthesisRequest> = {}): SynthesisRequest {
  return { text, voice: 'en-US-Neural2-C', format: 'wav', signal: AbortSignal.timeout(10_000), ...over };
}

/** Byte equality without vitest's element-by-element diff (slow on megabytes). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('google provider (against a double of the documented API)', () => {
  it('sends the documented request: POST /v1/text:synthesize, key header, input/voice/audioConfig', async () => {
    const { double, provider, urls } = setup({ sampleRateHertz: 16000, speakingRate: 1.25 });
    await provider.synthesize(request('Hello there.'));
    expect(urls).toEqual([`${BASE}/v1/text:synthesize`]);
    expect(double.requests).toHaveLength(1);
    expect(double.requests[0]!.key).toBe(DOUBLE_API_KEY);
    expect(double.requests[0]!.body).toEqual({
      input: { text: 'Hello there.' },
      voice: { languageCode: 'en-US', name: 'en-US-Neural2-C' },
      audioConfig: { audioEncoding: 'LINEAR16', sampleRateHertz: 16000, speakingRate: 1.25 },
    } satisfies GoogleSynthesizeRequest);
  });

  it('LINEAR16: decodes audioContent to the WAV Google sends, byte for byte', async () => {
    const { provider } = setup();
    const out = await provider.synthesize(request('Hello there.'));
    expect(out.mimeType).toBe('audio/wav');
    const wav = parseWav(out.audio);
    expect(wav.format).toEqual({ sampleRate: 24000, channels: 1, bitsPerSample: 16 });
    expect(wav.pcm).toEqual(doublePcm('Hello there.', 'en-US-Neural2-C', 24000));
  });

  it('MP3: audio/mpeg bytes as sent', async () => {
    const { provider } = setup({ audioEncoding: 'MP3' });
    expect(provider.format).toBe('mp3');
    const out = await provider.synthesize(request('Hello.', { format: 'mp3' }));
    expect(out.mimeType).toBe('audio/mpeg');
    expect(out.audio).toEqual(doubleMp3('Hello.'));
  });

  it('decodes a multi-megabyte audioContent without blowing the stack', async () => {
    const { provider } = setup({ sampleRateHertz: 48000 });
    const text = 'a'.repeat(1250); // 50 s at 48 kHz: 4.8 MB of PCM, 6.4 MB of base64
    const out = await provider.synthesize(request(text));
    const wav = parseWav(out.audio);
    expect(wav.pcm.byteLength).toBe(4_800_000);
    expect(sameBytes(wav.pcm, doublePcm(text, 'en-US-Neural2-C', 48000))).toBe(true);
  });

  it('uses the configured language, else the one in the voice name', async () => {
    expect(languageOf('en-US-Neural2-C')).toBe('en-US');
    expect(languageOf('cmn-CN-Wavenet-A')).toBe('cmn-CN');
    expect(languageOf('Kore')).toBeUndefined();
    const { double, provider } = setup();
    await provider.synthesize(request('Hallo.', { voice: 'de-DE-Wavenet-A', language: 'de-DE' }));
    expect((double.requests[0]!.body as GoogleSynthesizeRequest).voice).toEqual({ languageCode: 'de-DE', name: 'de-DE-Wavenet-A' });
    const e = await providerFailure(provider.synthesize(request('Hi.', { voice: 'Kore' })));
    expect(e).toMatchObject({ code: 'config_invalid', retryable: false });
  });

  it('400 for an unknown voice: a permanent, clear error with Google’s message', async () => {
    const { provider } = setup();
    const e = await providerFailure(provider.synthesize(request('Hi.', { voice: 'en-US-Nope-Z' })));
    expect(e).toMatchObject({ code: 'provider_rejected', status: 400, retryable: false });
    expect(e.message).toMatch(/^Google TTS rejected the request \(400 INVALID_ARGUMENT\): Voice 'en-US-Nope-Z' does not exist/);
  });

  it('400 for a bad API key: provider_auth naming the secret', async () => {
    const { provider } = setup({}, { GOOGLE_TTS_API_KEY: 'wrong' });
    const e = await providerFailure(provider.synthesize(request('Hi.')));
    expect(e).toMatchObject({ code: 'provider_auth', status: 400, retryable: false });
    expect(e.message).toMatch(/API key not valid.*GOOGLE_TTS_API_KEY/);
  });

  it('403: provider_auth, permanent, says what to check', async () => {
    const { double, provider } = setup();
    double.failNext({ code: 403, status: 'PERMISSION_DENIED', message: 'Cloud Text-to-Speech API has not been used in project 123 before or it is disabled.' });
    const e = await providerFailure(provider.synthesize(request('Hi.')));
    expect(e).toMatchObject({ code: 'provider_auth', status: 403, retryable: false });
    expect(e.message).toMatch(/refused access \(403 PERMISSION_DENIED\): Cloud Text-to-Speech API has not been used.*enabled/);
  });

  it('429: rate_limited, retryable, with Retry-After when sent', async () => {
    const { double, provider } = setup();
    double.failNext({ code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded for quota metric', retryAfterSeconds: 2 });
    const e = await providerFailure(provider.synthesize(request('Hi.')));
    expect(e).toMatchObject({ code: 'rate_limited', status: 429, retryable: true, retryAfterMs: 2000 });
    expect(e.message).toMatch(/quota or rate limit exceeded \(429 RESOURCE_EXHAUSTED\)/);
    // The next call goes through.
    expect((await provider.synthesize(request('Hi.'))).mimeType).toBe('audio/wav');
  });

  it('5xx: retryable', async () => {
    const { double, provider } = setup();
    double.failNext({ code: 503, status: 'UNAVAILABLE', message: 'The service is currently unavailable.' });
    expect(await providerFailure(provider.synthesize(request('Hi.')))).toMatchObject({ code: 'backend_unavailable', status: 503, retryable: true });
  });

  it('refuses text over 5,000 UTF-8 bytes before calling Google', async () => {
    const { double, provider } = setup({ maxChars: 5000 });
    const e = await providerFailure(provider.synthesize(request('€'.repeat(1700)))); // 5,100 bytes
    expect(e).toMatchObject({ code: 'chunk_too_long', status: 413, retryable: false });
    expect(double.requests).toHaveLength(0);
  });

  it('a missing secret is config_invalid, permanent, and makes no request', async () => {
    const { double, provider } = setup({}, {});
    expect(await providerFailure(provider.synthesize(request('Hi.')))).toMatchObject({ code: 'config_invalid', retryable: false });
    expect(double.requests).toHaveLength(0);
  });

  it('a network failure and a timeout are retryable', async () => {
    const cfg = loadProviderConfig({ PROVIDERS: { providers: { g: { type: 'google' } } } }).providers.g as GoogleConfig;
    const env = { GOOGLE_TTS_API_KEY: 'k' };
    const down = googleProvider(cfg, { env, fetch: async () => Promise.reject(new TypeError('connect ECONNREFUSED')) });
    expect(await providerFailure(down.synthesize(request('Hi.')))).toMatchObject({ code: 'backend_unavailable', retryable: true, status: 0 });
    const slow = googleProvider(cfg, {
      env,
      fetch: (_input, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
    });
    expect(await providerFailure(slow.synthesize(request('Hi.', { signal: AbortSignal.timeout(50) })))).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('a 200 without audioContent is a retryable synthesis failure', async () => {
    const cfg = loadProviderConfig({ PROVIDERS: { providers: { g: { type: 'google' } } } }).providers.g as GoogleConfig;
    const p = googleProvider(cfg, { env: { GOOGLE_TTS_API_KEY: 'k' }, fetch: async () => Response.json({}) });
    expect(await providerFailure(p.synthesize(request('Hi.')))).toMatchObject({ code: 'synthesis_failed', retryable: true });
  });
});
