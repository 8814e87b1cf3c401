// Provider configuration: defaults, the implicit SYNTH_URL provider, and a
// message naming the field for every kind of mistake.
import { describe, expect, it } from 'vitest';
import { checkEnvironment, loadProviderConfig, ProviderConfigError, secretNames, validateProviderConfig, type ConfigIssue } from './config.ts';

const SYNTH = 'http://127.0.0.1:5002';

function issuesOf(vars: Record<string, unknown>): ConfigIssue[] {
  try {
    loadProviderConfig(vars);
  } catch (e) {
    expect(e).toBeInstanceOf(ProviderConfigError);
    expect((e as ProviderConfigError).code).toBe('config_invalid');
    return (e as ProviderConfigError).issues;
  }
  throw new Error('expected the configuration to be refused');
}

const FULL = {
  default: 'local',
  providers: {
    local: { type: 'openai-compatible' },
    kokoro: { type: 'openai-compatible', baseUrl: 'http://kokoro.internal:8880', model: 'kokoro', format: 'mp3', maxConcurrency: 2 },
    gcloud: { type: 'google', sampleRateHertz: 24000 },
    melo: { type: 'workers-ai', model: '@cf/myshell-ai/melotts' },
    aura: { type: 'workers-ai', model: '@cf/deepgram/aura-1' },
  },
  voices: {
    'google:en-US-Neural2-C': { provider: 'gcloud', voice: 'en-US-Neural2-C', name: 'Neural2 C (US)' },
    'kokoro:bella': { provider: 'kokoro', voice: 'af_bella', language: 'en-US' },
    'melo:fr': { provider: 'melo', voice: 'fr' },
    'aura:asteria': { provider: 'aura', voice: 'asteria' },
  },
};

describe('loadProviderConfig', () => {
  it('without PROVIDERS, one OpenAI-compatible provider at SYNTH_URL (+ SYNTH_URLS, SYNTH_TOKEN) takes every voice', () => {
    const c = loadProviderConfig({ SYNTH_URL: SYNTH, SYNTH_URLS: 'http://127.0.0.1:5003, http://127.0.0.1:5004', SYNTH_TOKEN: 't' });
    expect(c.implicit).toBe(true);
    expect(c.defaultProvider).toBe('synth');
    expect(c.providers.synth).toMatchObject({
      type: 'openai-compatible',
      urls: [SYNTH, 'http://127.0.0.1:5003', 'http://127.0.0.1:5004'],
      apiKeySecret: 'SYNTH_TOKEN',
      apiKeyRequired: false,
      listVoices: true,
      format: 'wav',
      maxChars: 4096,
      maxConcurrency: 16,
    });
    expect(c.voices).toEqual({});
  });

  it('accepts PROVIDERS as a JSON string or an object, and fills in each type’s defaults', () => {
    for (const PROVIDERS of [JSON.stringify(FULL), FULL]) {
      const c = loadProviderConfig({ PROVIDERS, SYNTH_URL: SYNTH });
      expect(c.implicit).toBe(false);
      expect(c.providers.local).toMatchObject({ urls: [SYNTH], listVoices: true, format: 'wav' });
      expect(c.providers.kokoro).toMatchObject({ urls: ['http://kokoro.internal:8880'], listVoices: false, model: 'kokoro', format: 'mp3', maxConcurrency: 2, maxChars: 4096 });
      expect(c.providers.gcloud).toMatchObject({
        baseUrl: 'https://texttospeech.googleapis.com',
        apiKeySecret: 'GOOGLE_TTS_API_KEY',
        audioEncoding: 'LINEAR16',
        format: 'wav',
        sampleRateHertz: 24000,
        maxChars: 1250,
        maxConcurrency: 8,
      });
      expect(c.providers.melo).toMatchObject({ binding: 'AI', format: 'mp3', maxChars: 1000, maxConcurrency: 4 });
      expect(c.providers.aura).toMatchObject({ binding: 'AI', format: 'wav' });
      expect(c.voices['kokoro:bella']).toEqual({ id: 'kokoro:bella', provider: 'kokoro', voice: 'af_bella', language: 'en-US' });
    }
  });

  it('a single provider is the default without saying so', () => {
    const c = loadProviderConfig({ PROVIDERS: { providers: { g: { type: 'google', audioEncoding: 'MP3' } } } });
    expect(c.defaultProvider).toBe('g');
    expect(c.providers.g!.format).toBe('mp3');
  });

  it.each<[string, string, Record<string, unknown>, RegExp]>([
    ['PROVIDERS that is not JSON', 'PROVIDERS', { PROVIDERS: '{"providers": ' }, /not valid JSON/],
    ['PROVIDERS of the wrong type', 'PROVIDERS', { PROVIDERS: 42 }, /JSON object/],
    ['no SYNTH_URL for a provider without baseUrl', 'SYNTH_URL', { PROVIDERS: { providers: { a: { type: 'openai-compatible' } } } }, /http\(s\) URL.*provider a/],
    ['no SYNTH_URL at all', 'SYNTH_URL', {}, /http\(s\) URL/],
    ['a bad SYNTH_URLS entry', 'SYNTH_URLS', { SYNTH_URL: SYNTH, SYNTH_URLS: 'ftp://x' }, /not an http/],
    ['an unknown provider type', 'PROVIDERS.providers.x.type', { PROVIDERS: { providers: { x: { type: 'polly' } } } }, /openai-compatible.*google.*workers-ai/],
    ['a baseUrl that is not http(s)', 'PROVIDERS.providers.g.baseUrl', { PROVIDERS: { providers: { g: { type: 'google', baseUrl: 'file:///etc' } } } }, /http\(s\) URL/],
    ['a Workers AI provider without a model', 'PROVIDERS.providers.cf.model', { PROVIDERS: { providers: { cf: { type: 'workers-ai' } } } }, /./],
    ['a Workers AI model that does not speak', 'PROVIDERS.providers.cf.model', { PROVIDERS: { providers: { cf: { type: 'workers-ai', model: '@cf/meta/llama-3-8b-instruct' } } } }, /melotts/],
    ['MeloTTS asked for WAV', 'PROVIDERS.providers.cf.format', { PROVIDERS: { providers: { cf: { type: 'workers-ai', model: '@cf/myshell-ai/melotts', format: 'wav' } } } }, /MP3 only/],
    ['an Aura sample rate it does not take', 'PROVIDERS.providers.cf.sampleRate', { PROVIDERS: { providers: { cf: { type: 'workers-ai', model: '@cf/deepgram/aura-1', sampleRate: 44100 } } } }, /./],
    ['a Google encoding that is not LINEAR16 or MP3', 'PROVIDERS.providers.g.audioEncoding', { PROVIDERS: { providers: { g: { type: 'google', audioEncoding: 'OGG_OPUS' } } } }, /LINEAR16/],
    ['a misspelt field', 'PROVIDERS.providers.g.apikey', { PROVIDERS: { providers: { g: { type: 'google', apikey: 'x' } } } }, /unknown field/],
    ['a secret name with a dash', 'PROVIDERS.providers.g.apiKeySecret', { PROVIDERS: { providers: { g: { type: 'google', apiKeySecret: 'my-key' } } } }, /secret/],
    ['maxChars of 0', 'PROVIDERS.providers.g.maxChars', { PROVIDERS: { providers: { g: { type: 'google', maxChars: 0 } } } }, /./],
    ['a provider name in capitals', 'PROVIDERS.providers.Google', { PROVIDERS: { providers: { Google: { type: 'google' } } } }, /lowercase/],
    ['several providers and no default', 'PROVIDERS.default', { PROVIDERS: { providers: { a: { type: 'google' }, b: { type: 'google' } } } }, /required.*a, b/],
    ['a default that names nothing', 'PROVIDERS.default', { PROVIDERS: { default: 'c', providers: { a: { type: 'google' } } } }, /no configured provider/],
    ['a voice routed to no provider', 'PROVIDERS.voices.v.provider', { PROVIDERS: { providers: { a: { type: 'google' } }, voices: { v: { provider: 'b', voice: 'en-US-Neural2-C' } } } }, /no configured provider/],
    ['a voice without its provider voice', 'PROVIDERS.voices.v.voice', { PROVIDERS: { providers: { a: { type: 'google' } }, voices: { v: { provider: 'a' } } } }, /./],
    ['no providers', 'PROVIDERS.providers', { PROVIDERS: { providers: {} } }, /at least one/],
  ])('refuses %s, naming %s', (_what, path, vars, message) => {
    const issues = issuesOf(vars);
    const issue = issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it('the error message lists every issue with its field', () => {
    const issues = issuesOf({ PROVIDERS: { providers: { a: { type: 'google', maxChars: -1, maxConcurrency: 1000 } } } });
    expect(issues.map((i) => i.path).sort()).toEqual(['PROVIDERS.providers.a.maxChars', 'PROVIDERS.providers.a.maxConcurrency']);
    expect(new ProviderConfigError(issues).message).toMatch(/^invalid provider configuration: PROVIDERS\.providers\.a\.max/);
  });
});

describe('checkEnvironment and validateProviderConfig', () => {
  const config = () => loadProviderConfig({ PROVIDERS: FULL, SYNTH_URL: SYNTH });

  it('names a missing secret with the command that sets it, and a missing AI binding', () => {
    const issues = checkEnvironment(config(), {});
    expect(issues).toEqual([
      { path: 'PROVIDERS.providers.gcloud.apiKeySecret', message: expect.stringMatching(/GOOGLE_TTS_API_KEY is not set \(deployed: wrangler secret put GOOGLE_TTS_API_KEY/) },
      { path: 'PROVIDERS.providers.melo.binding', message: expect.stringMatching(/no Workers AI binding named AI/) },
      { path: 'PROVIDERS.providers.aura.binding', message: expect.stringMatching(/no Workers AI binding named AI/) },
    ]);
    expect(checkEnvironment(config(), { GOOGLE_TTS_API_KEY: 'k', AI: { run: async () => ({}) } })).toEqual([]);
  });

  it('SYNTH_TOKEN picked up implicitly is optional; a named secret is required', () => {
    const implicit = loadProviderConfig({ SYNTH_URL: SYNTH, SYNTH_TOKEN: 'x' });
    expect(checkEnvironment(implicit, {})).toEqual([]);
    const named = loadProviderConfig({ PROVIDERS: { providers: { k: { type: 'openai-compatible', baseUrl: SYNTH, apiKeySecret: 'KOKORO_KEY' } } } });
    expect(checkEnvironment(named, {})[0]?.path).toBe('PROVIDERS.providers.k.apiKeySecret');
    expect(secretNames(named)).toEqual(['KOKORO_KEY']);
  });

  it('validateProviderConfig never throws: ok with the config, or the issues and one message', () => {
    const vars = { PROVIDERS: JSON.stringify(FULL), SYNTH_URL: SYNTH };
    expect(validateProviderConfig(vars).ok).toBe(true); // shape only
    expect(validateProviderConfig(vars, { secrets: { GOOGLE_TTS_API_KEY: 'k' }, bindings: ['AI'] }).ok).toBe(true);
    expect(validateProviderConfig(vars, { secrets: {} })).toMatchObject({ ok: false, issues: [{ path: 'PROVIDERS.providers.gcloud.apiKeySecret' }] });
    expect(validateProviderConfig(vars, { bindings: [] })).toMatchObject({
      ok: false,
      issues: [{ path: 'PROVIDERS.providers.melo.binding' }, { path: 'PROVIDERS.providers.aura.binding' }],
      message: expect.stringContaining('PROVIDERS.providers.melo.binding: no Workers AI binding named AI'),
    });
    expect(validateProviderConfig({ PROVIDERS: '[' })).toMatchObject({ ok: false, issues: [{ path: 'PROVIDERS' }] });
  });
});
