// The `openai-compatible` provider against the real synthesis service (started
// by the edge test setup), directly and through the fault-injecting proxy.
import { describe, expect, inject, it } from 'vitest';
import { parseWav } from '../../../core/audio/wav.ts';
import type { FaultPlan } from '../../../../test/support/fault-proxy.ts';
import { loadProviderConfig, type OpenAiCompatibleConfig } from './config.ts';
import { openAiCompatibleProvider } from './openaiCompatible.ts';
import { providerFailure } from './testing/providerFailure.ts';
import type { SynthesisRequest } from './types.ts';

const fetcher: typeof fetch = (input, init) => fetch(input, init);

function provider(vars: Record<string, unknown>, env: Record<string, unknown> = {}) {
  const cfg = loadProviderConfig(vars).providers.synth as OpenAiCompatibleConfig;
  return openAiCompatibleProvider(cfg, { env, fetch: fetcher });
}

function request(text: string, hints: SynthesisRequest['hints'] = {}): SynthesisRequest {
  return { text, voice: 'espeak:en-us', format: 'wav', signal: AbortSignal.timeout(30_000), hints };
}

async function setFaults(jobId: string, plan: FaultPlan): Promise<void> {
  const res = await fetch(`${inject('faultProxyUrl')}/__faults`, { method: 'POST', body: JSON.stringify({ jobId, plan }) });
  expect(res.status).toBe(204);
}

describe('openai-compatible provider (real synthesis service)', () => {
  it('synthesizes WAV with word timings from x-lector-words', async () => {
    const p = provider({ SYNTH_URL: inject('synthUrl') });
    expect(p.endpoints).toEqual([inject('synthUrl')]);
    const out = await p.synthesize(request('Hello there, world.'));
    expect(out.mimeType).toBe('audio/wav');
    const wav = parseWav(out.audio);
    expect(wav.format).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    expect(wav.durationMs).toBeGreaterThan(300);
    expect(out.words?.map((w) => w.text)).toEqual(['Hello', 'there', 'world']);
  });

  it('passes speed on: at 2 the same words in about half the time', async () => {
    const p = provider({ SYNTH_URL: inject('synthUrl') });
    const text = 'Read these words at the speed I ask for.';
    const normal = await p.synthesize(request(text));
    const fast = await p.synthesize({ ...request(text), speed: 2 });
    const ratio = parseWav(fast.audio).durationMs / parseWav(normal.audio).durationMs;
    expect(ratio).toBeGreaterThan(0.35);
    expect(ratio).toBeLessThan(0.65);
    expect(fast.words?.map((w) => w.text)).toEqual(normal.words?.map((w) => w.text));
  });

  it('lists the service’s voices, each with the provider’s name', async () => {
    const voices = await provider({ SYNTH_URL: inject('synthUrl') }).voices(AbortSignal.timeout(10_000));
    expect(voices.length).toBeGreaterThan(1);
    expect(voices.find((v) => v.id === 'espeak:en-us')).toMatchObject({ provider: 'synth', language: expect.any(String) });
  });

  it('uses the endpoint RouterCounter chose when it is one of its servers, else the first', async () => {
    const urls: string[] = [];
    const cfg = loadProviderConfig({ SYNTH_URL: inject('synthUrl'), SYNTH_URLS: inject('faultProxyUrl') }).providers.synth as OpenAiCompatibleConfig;
    const p = openAiCompatibleProvider(cfg, {
      env: {},
      fetch: (input, init) => {
        urls.push(new Request(input, init).url);
        return fetch(input, init);
      },
    });
    await p.synthesize(request('One.', { endpoint: inject('faultProxyUrl') }));
    await p.synthesize(request('Two.', { endpoint: 'http://elsewhere.example' }));
    expect(urls).toEqual([`${inject('faultProxyUrl')}/v1/audio/speech`, `${inject('synthUrl')}/v1/audio/speech`]);
  });

  it('classifies the server’s answers: 400 permanent, 429 retryable after Retry-After, 503 retryable', async () => {
    const p = provider({ SYNTH_URL: inject('faultProxyUrl') });
    const job = crypto.randomUUID();
    await setFaults(job, { rate400: 1 });
    expect(await providerFailure(p.synthesize(request('Hi.', { jobId: job, index: 0 })))).toMatchObject({ code: 'synthesis_failed', status: 400, retryable: false });
    await setFaults(job, { rate429: 1, retryAfterSeconds: 3 });
    expect(await providerFailure(p.synthesize(request('Hi.', { jobId: job, index: 0 })))).toMatchObject({ status: 429, retryable: true, retryAfterMs: 3000 });
    await setFaults(job, { down: true });
    expect(await providerFailure(p.synthesize(request('Hi.', { jobId: job, index: 0 })))).toMatchObject({ status: 503, retryable: true });
  });

  it('an unknown voice is the server’s 400: permanent, with its message', async () => {
    const p = provider({ SYNTH_URL: inject('synthUrl') });
    const e = await providerFailure(p.synthesize({ ...request('Hi.'), voice: 'no-such-voice' }));
    expect(e).toMatchObject({ status: 400, retryable: false });
    expect(e.message).toMatch(/unknown voice/);
  });

  it('sends the bearer token from the named secret, and refuses to run when a required one is missing', async () => {
    const seen: (string | null)[] = [];
    const cfg = loadProviderConfig({ PROVIDERS: { providers: { synth: { type: 'openai-compatible', baseUrl: inject('synthUrl'), apiKeySecret: 'KOKORO_KEY', model: 'kokoro' } } } }).providers.synth as OpenAiCompatibleConfig;
    const bodies: unknown[] = [];
    const spy: typeof fetch = async (input, init) => {
      const req = new Request(input, init);
      seen.push(req.headers.get('authorization'));
      bodies.push(await req.clone().json());
      return fetch(req);
    };
    await openAiCompatibleProvider(cfg, { env: { KOKORO_KEY: 's3cret' }, fetch: spy }).synthesize(request('Hi.'));
    expect(seen).toEqual(['Bearer s3cret']);
    expect(bodies[0]).toEqual({ model: 'kokoro', input: 'Hi.', voice: 'espeak:en-us', response_format: 'wav' });
    const e = await providerFailure(openAiCompatibleProvider(cfg, { env: {}, fetch: spy }).synthesize(request('Hi.')));
    expect(e).toMatchObject({ code: 'config_invalid', retryable: false });
  });

  it('a server that is not there is retryable backend_unavailable', async () => {
    // An injected failing fetch: a real refused connection makes workerd log an uncaught error of its own.
    const cfg = loadProviderConfig({ SYNTH_URL: 'http://127.0.0.1:9' }).providers.synth as OpenAiCompatibleConfig;
    const p = openAiCompatibleProvider(cfg, { env: {}, fetch: () => Promise.reject(new Error('Network connection lost.')) });
    expect(await providerFailure(p.synthesize(request('Hi.')))).toMatchObject({ code: 'backend_unavailable', status: 0, retryable: true });
  });
});
