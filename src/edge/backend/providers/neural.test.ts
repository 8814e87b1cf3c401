// Neural voice servers through the `openai-compatible` provider: Kokoro-FastAPI
// and Piper's HTTP server, against doubles written from their source and docs
// (testing/kokoroDouble.ts, testing/piperDouble.ts). The real servers need model
// files this machine cannot fetch; the doubles are not them.
import { describe, expect, it } from 'vitest';
import { parseWav } from '../../../core/audio/wav.ts';
import { loadProviderConfig, validateProviderConfig, type OpenAiCompatibleConfig } from './config.ts';
import { openAiCompatibleProvider } from './openaiCompatible.ts';
import { ProviderRegistry } from './registry.ts';
import { createKokoroDouble, KOKORO_SAMPLE_RATE } from './testing/kokoroDouble.ts';
import { createPiperDouble } from './testing/piperDouble.ts';
import { providerFailure } from './testing/providerFailure.ts';
import type { SynthesisRequest } from './types.ts';

const KOKORO_URL = 'http://kokoro.test:8880';
const PIPER_URL = 'http://piper.test:5000';

function setup(providers: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const kokoro = createKokoroDouble(extra.voicesShape === 'objects' ? { voicesShape: 'objects' } : {});
  const piper = createPiperDouble(typeof extra.piperPath === 'string' ? { path: extra.piperPath } : {});
  const fetcher: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    if (req.url.startsWith(KOKORO_URL)) return kokoro.fetch(req);
    if (req.url.startsWith(PIPER_URL)) return piper.fetch(req);
    throw new TypeError(`no double at ${req.url}`);
  };
  const config = loadProviderConfig({ PROVIDERS: JSON.stringify({ default: Object.keys(providers)[0], providers }), SYNTH_URL: 'http://127.0.0.1:1' });
  const deps = { env: {}, fetch: fetcher };
  const provider = (name: string) => openAiCompatibleProvider(config.providers[name] as OpenAiCompatibleConfig, deps);
  return { kokoro, piper, config, provider, registry: new ProviderRegistry(config, deps) };
}

function req(text: string, voice: string, speed?: number): SynthesisRequest {
  return { text, voice, format: 'wav', signal: AbortSignal.timeout(10_000), ...(speed === undefined ? {} : { speed }) };
}

const KOKORO = { kokoro: { type: 'openai-compatible', server: 'kokoro', baseUrl: KOKORO_URL } };
const PIPER = { piper: { type: 'openai-compatible', server: 'piper', baseUrl: PIPER_URL } };

describe('Kokoro-FastAPI (double)', () => {
  it('lists voices from GET /v1/audio/voices, as names or as { id, name }', async () => {
    for (const voicesShape of ['names', 'objects']) {
      const { provider } = setup(KOKORO, { voicesShape });
      const voices = await provider('kokoro').voices(AbortSignal.timeout(5000));
      expect(voices.find((v) => v.id === 'af_bella')).toEqual({ id: 'af_bella', name: 'af_bella', language: 'en-US', engine: 'kokoro', provider: 'kokoro', sampleRate: 24000 });
      expect(voices.find((v) => v.id === 'bf_emma')?.language).toBe('en-GB');
    }
  });

  it('synthesizes through /dev/captioned_speech with speed, and maps word timestamps to the text', async () => {
    const { provider, kokoro } = setup(KOKORO);
    const text = 'Hello there, Mr. Darcy!';
    const out = await provider('kokoro').synthesize(req(text, 'af_bella', 1.5));
    expect(kokoro.requests.at(-1)).toEqual({
      path: '/dev/captioned_speech',
      body: { model: 'kokoro', input: text, voice: 'af_bella', response_format: 'wav', speed: 1.5, stream: false, return_timestamps: true },
    });
    expect(out.mimeType).toBe('audio/wav');
    expect(parseWav(out.audio).format).toEqual({ sampleRate: KOKORO_SAMPLE_RATE, channels: 1, bitsPerSample: 16 });
    // Punctuation tokens are dropped; each word points at itself in the text.
    expect(out.words!.map((w) => w.text)).toEqual(['Hello', 'there', 'Mr', 'Darcy']);
    for (const w of out.words!) expect(text.slice(w.offset, w.offset + w.text.length)).toBe(w.text);
    const starts = out.words!.map((w) => w.startMs);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('speed 2.0 halves the duration; a blend is passed through and sounds different', async () => {
    const { provider } = setup(KOKORO);
    const p = provider('kokoro');
    const one = parseWav((await p.synthesize(req('A sentence of some length.', 'af_bella'))).audio);
    const two = parseWav((await p.synthesize(req('A sentence of some length.', 'af_bella', 2))).audio);
    expect(two.durationMs / one.durationMs).toBeCloseTo(0.5, 2);
    const blend = (await p.synthesize(req('A sentence of some length.', 'af_bella+af_sky'))).audio;
    expect(parseWav(blend).durationMs).toBe(one.durationMs);
    expect(Buffer.from(parseWav(blend).pcm)).not.toEqual(Buffer.from(one.pcm));
    const weighted = await p.synthesize(req('Weighted.', 'af_bella(2)+af_sky(1)'));
    expect(weighted.audio.byteLength).toBeGreaterThan(44);
  });

  it('uses /v1/audio/speech with stream: false when word timestamps are off', async () => {
    const { provider, kokoro } = setup({ kokoro: { ...KOKORO.kokoro, wordTimestamps: false } });
    const out = await provider('kokoro').synthesize(req('Hi there.', 'am_adam'));
    expect(kokoro.requests.at(-1)).toMatchObject({ path: '/v1/audio/speech', body: { voice: 'am_adam', stream: false, speed: 1 } });
    expect(out.words).toBeUndefined();
    expect(parseWav(out.audio).durationMs).toBeGreaterThan(0);
  });

  it('classifies Kokoro errors: unknown voice 400 final, overload 503 retryable', async () => {
    const { provider, kokoro } = setup(KOKORO);
    const unknown = await providerFailure(provider('kokoro').synthesize(req('Hi.', 'af_nobody+af_sky')));
    expect(unknown).toMatchObject({ status: 400, retryable: false, code: 'synthesis_failed' });
    expect(unknown.message).toMatch(/af_nobody/);
    kokoro.failNext(503);
    expect(await providerFailure(provider('kokoro').synthesize(req('Hi.', 'af_sky')))).toMatchObject({ status: 503, retryable: true });
  });
});

describe('Piper HTTP server (double)', () => {
  it('lists each model and each named speaker from GET /voices', async () => {
    const { provider } = setup(PIPER);
    const voices = await provider('piper').voices(AbortSignal.timeout(5000));
    expect(voices.map((v) => v.id)).toEqual(['en_US-lessac-medium', 'en_GB-alba-low', 'en_US-libritts_r-medium', 'en_US-libritts_r-medium@p3922', 'en_US-libritts_r-medium@p8699']);
    expect(voices[1]).toEqual({ id: 'en_GB-alba-low', name: 'en_GB-alba-low', language: 'en-GB', engine: 'piper', provider: 'piper', sampleRate: 16000 });
  });

  it('POSTs JSON to /synthesize; speed becomes length_scale; a speaker after @', async () => {
    const { provider, piper } = setup(PIPER);
    const p = provider('piper');
    const one = await p.synthesize(req('Testing Piper here.', 'en_US-lessac-medium'));
    expect(piper.requests.at(-1)).toEqual({ path: '/synthesize', body: { text: 'Testing Piper here.', voice: 'en_US-lessac-medium' } });
    const two = await p.synthesize(req('Testing Piper here.', 'en_US-lessac-medium', 2));
    expect(piper.requests.at(-1)?.body).toEqual({ text: 'Testing Piper here.', voice: 'en_US-lessac-medium', length_scale: 0.5 });
    expect(parseWav(one.audio).format.sampleRate).toBe(22050);
    expect(parseWav(two.audio).durationMs / parseWav(one.audio).durationMs).toBeCloseTo(0.5, 2);
    await p.synthesize(req('Speaker.', 'en_US-libritts_r-medium@p8699'));
    expect(piper.requests.at(-1)?.body).toEqual({ text: 'Speaker.', voice: 'en_US-libritts_r-medium', speaker: 'p8699' });
  });

  it('older servers: piperPath "/"; an empty text is the server’s 500', async () => {
    const { provider, piper } = setup({ piper: { ...PIPER.piper, piperPath: '/' } }, { piperPath: '/' });
    await provider('piper').synthesize(req('Old server.', 'en_GB-alba-low'));
    expect(piper.requests.at(-1)?.path).toBe('/');
    expect(await providerFailure(provider('piper').synthesize(req('  ', 'en_GB-alba-low')))).toMatchObject({ status: 500 });
  });

  it('refuses mp3 for Piper in the configuration', () => {
    const r = validateProviderConfig({ PROVIDERS: JSON.stringify({ providers: { piper: { ...PIPER.piper, format: 'mp3' } } }) });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues).toEqual([{ path: 'PROVIDERS.providers.piper.format', message: 'Piper servers answer WAV only' }]);
  });
});

describe('registry with neural servers beside the default', () => {
  it('lists their voices as <provider>:<voice> and routes those ids, blends included', async () => {
    const { registry } = setup({ local: { type: 'openai-compatible', baseUrl: KOKORO_URL, listVoices: false }, ...KOKORO, ...PIPER });
    const voices = await registry.voices();
    expect(voices.find((v) => v.id === 'kokoro:af_bella')).toMatchObject({ provider: 'kokoro', engine: 'kokoro' });
    expect(voices.find((v) => v.id === 'piper:en_GB-alba-low')).toMatchObject({ provider: 'piper', engine: 'piper' });
    expect(registry.route('kokoro:af_bella+af_sky')).toMatchObject({ voice: 'af_bella+af_sky', provider: { name: 'kokoro' } });
    expect(registry.route('piper:en_US-libritts_r-medium@p3922')).toMatchObject({ voice: 'en_US-libritts_r-medium@p3922', provider: { name: 'piper' } });
    // Anything else still passes through to the default provider.
    expect(registry.route('espeak:en-us')).toMatchObject({ voice: 'espeak:en-us', provider: { name: 'local' } });
  });

  it('passes speed to OpenAI-style servers only when it is not 1', async () => {
    const bodies: unknown[] = [];
    const cfg = loadProviderConfig({ SYNTH_URL: 'http://synth.test' }).providers.synth as OpenAiCompatibleConfig;
    const p = openAiCompatibleProvider(cfg, {
      env: {},
      fetch: async (_input, init) => {
        bodies.push(JSON.parse(String(init?.body)));
        return new Response(new Uint8Array(44), { headers: { 'content-type': 'audio/wav' } });
      },
    });
    await p.synthesize(req('x', 'espeak:en-us'));
    await p.synthesize(req('x', 'espeak:en-us', 2.5));
    expect(bodies).toEqual([
      { model: 'lector', input: 'x', voice: 'espeak:en-us', response_format: 'wav' },
      { model: 'lector', input: 'x', voice: 'espeak:en-us', response_format: 'wav', speed: 2.5 },
    ]);
  });
});
