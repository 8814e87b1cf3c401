// The providers of one backend Worker, built from its validated configuration:
// routes a voice id to a provider and that provider's voice, merges the voice
// catalogs, and states each voice's limits for the orchestrator.
import type { VoiceInfo } from '../../../core/api/types.ts';
import { AURA_MODELS, MELOTTS_MODEL, checkEnvironment, loadProviderConfig, ProviderConfigError, type ProviderConfig, type ResolvedProviderConfig } from './config.ts';
import { googleProvider, languageOf } from './google.ts';
import type { ProviderDeps } from './http.ts';
import { openAiCompatibleProvider, type OpenAiCompatibleProvider } from './openaiCompatible.ts';
import { MIME_TYPES, type AudioFormat, type Provider, type ProviderType } from './types.ts';
import { DEFAULT_AURA_SAMPLE_RATE, workersAiProvider } from './workersAi.ts';

/** Where one voice's chunks go. */
export interface VoiceRouteResolved {
  voiceId: string;
  provider: Provider;
  /** The provider's own name for the voice. */
  voice: string;
  language?: string;
}

/** Per-voice limits, for the orchestrator's splitter and dispatcher (RPC `voiceLimits`). */
export interface VoiceLimits {
  voiceId: string;
  /** Provider name (a key of PROVIDERS.providers) and type. */
  provider: string;
  providerType: ProviderType;
  /** Most characters (code points) per chunk. */
  maxChars: number;
  /** Most chunks of one job in flight at once. */
  maxConcurrency: number;
  /** Formats the provider can produce. */
  formats: AudioFormat[];
  /** The format this voice's chunks are stored in, and its MIME type. `wav` is canonical PCM16 WAV. */
  format: AudioFormat;
  mimeType: string;
  /** The entries of `backends()` this voice's chunks may be sent to (RouterCounter should pick among these only). */
  backends: string[];
}

const CATALOG_TIMEOUT_MS = 10_000;

export class ProviderRegistry {
  readonly config: ProviderConfig;
  private readonly providers = new Map<string, Provider>();

  constructor(config: ProviderConfig, deps: ProviderDeps) {
    this.config = config;
    for (const cfg of Object.values(config.providers)) this.providers.set(cfg.name, build(cfg, deps));
  }

  /**
   * Configured voices first; then `<provider>:<voice>` for a Kokoro or Piper provider that is not the
   * default (the ids its listing shows); any other id goes to the default provider if it is
   * OpenAI-compatible (passed through).
   */
  route(voiceId: string): VoiceRouteResolved | undefined {
    const v = Object.hasOwn(this.config.voices, voiceId) ? this.config.voices[voiceId] : undefined;
    if (v) {
      const out: VoiceRouteResolved = { voiceId, provider: this.providers.get(v.provider)!, voice: v.voice };
      if (v.language) out.language = v.language;
      return out;
    }
    const colon = voiceId.indexOf(':');
    if (colon > 0) {
      const name = voiceId.slice(0, colon);
      const provider = this.providers.get(name);
      if (provider && this.listingPrefix(name) !== '' && colon < voiceId.length - 1) return { voiceId, provider, voice: voiceId.slice(colon + 1) };
    }
    const fallback = this.providers.get(this.config.defaultProvider);
    if (fallback?.type === 'openai-compatible') return { voiceId, provider: fallback, voice: voiceId };
    return undefined;
  }

  /** `<name>:` for a Kokoro or Piper provider that is not the default (its voices need the prefix to route); else ''. */
  private listingPrefix(name: string): string {
    const cfg = this.config.providers[name];
    if (!cfg || cfg.type !== 'openai-compatible' || name === this.config.defaultProvider) return '';
    return cfg.server === 'kokoro' || cfg.server === 'piper' ? `${name}:` : '';
  }

  limits(voiceId: string): VoiceLimits | undefined {
    const r = this.route(voiceId);
    if (!r) return undefined;
    const p = r.provider;
    return {
      voiceId,
      provider: p.name,
      providerType: p.type,
      maxChars: p.limits.maxChars,
      maxConcurrency: p.limits.maxConcurrency,
      formats: [...p.limits.formats],
      format: p.format,
      mimeType: MIME_TYPES[p.format],
      backends: [...p.endpoints],
    };
  }

  /** Every backend id RouterCounter may spread over, the default provider's first (the old SYNTH_URL order). */
  endpoints(): string[] {
    const first = this.providers.get(this.config.defaultProvider);
    const all = [...(first?.endpoints ?? [])];
    for (const p of this.providers.values()) if (p !== first) all.push(...p.endpoints);
    return [...new Set(all)];
  }

  /**
   * The merged catalog: configured voices, then the voices OpenAI-compatible
   * providers with `listVoices` report. A listing that fails fails the catalog
   * only when it is the default provider's (its voices are the passthrough
   * ones); other failures drop that provider's listed voices and are logged.
   */
  async voices(): Promise<VoiceInfo[]> {
    const out = new Map<string, VoiceInfo>();
    for (const v of Object.values(this.config.voices)) {
      const cfg = this.config.providers[v.provider]!;
      const info: VoiceInfo = { id: v.id, name: v.name ?? v.voice, language: v.language ?? guessLanguage(cfg, v.voice), engine: engineOf(cfg), provider: cfg.name };
      const rate = sampleRateOf(cfg);
      if (rate !== undefined) info.sampleRate = rate;
      out.set(v.id, info);
    }
    const listing = [...this.providers.values()].filter((p): p is OpenAiCompatibleProvider => {
      const cfg = this.config.providers[p.name]!;
      return cfg.type === 'openai-compatible' && cfg.listVoices;
    });
    const results = await Promise.allSettled(listing.map((p) => p.voices(AbortSignal.timeout(CATALOG_TIMEOUT_MS), this.listingPrefix(p.name))));
    results.forEach((r, i) => {
      const p = listing[i]!;
      if (r.status === 'fulfilled') {
        for (const v of r.value) if (!out.has(v.id)) out.set(v.id, v);
      } else if (p.name === this.config.defaultProvider) {
        throw r.reason instanceof Error ? r.reason : new Error(String(r.reason));
      } else {
        console.warn(`backend: voice catalog of provider ${p.name} unavailable`, String(r.reason));
      }
    });
    return [...out.values()];
  }
}

function build(cfg: ResolvedProviderConfig, deps: ProviderDeps): Provider {
  switch (cfg.type) {
    case 'openai-compatible':
      return openAiCompatibleProvider(cfg, deps);
    case 'google':
      return googleProvider(cfg, deps);
    case 'workers-ai':
      return workersAiProvider(cfg, deps);
  }
}

function engineOf(cfg: ResolvedProviderConfig): string {
  if (cfg.type === 'google') return 'google-cloud-tts';
  if (cfg.type === 'workers-ai') return cfg.model;
  if (cfg.server === 'kokoro' || cfg.server === 'piper') return cfg.model ?? cfg.server;
  return cfg.model ?? 'openai-compatible';
}

function guessLanguage(cfg: ResolvedProviderConfig, voice: string): string {
  if (cfg.type === 'google') return languageOf(voice) ?? '';
  if (cfg.type === 'workers-ai') {
    if (cfg.model === MELOTTS_MODEL) return voice;
    return cfg.model === AURA_MODELS[2] ? 'es' : 'en';
  }
  return '';
}

function sampleRateOf(cfg: ResolvedProviderConfig): number | undefined {
  if (cfg.type === 'google') return cfg.sampleRateHertz;
  if (cfg.type === 'workers-ai' && cfg.format === 'wav') return cfg.sampleRate ?? DEFAULT_AURA_SAMPLE_RATE;
  return undefined;
}

// ---- per-isolate cache -------------------------------------------------------------

/** The vars the configuration is read from; changing any of them (a new deploy) re-validates. */
const CONFIG_VARS = ['PROVIDERS', 'SYNTH_URL', 'SYNTH_URLS', 'SYNTH_TOKEN'] as const;
let cached: { key: string; config: ProviderConfig } | undefined;

/**
 * The registry for this Worker's env, validated once per isolate (and again
 * when the vars change). Throws ProviderConfigError naming the bad field, also
 * for a missing secret or binding.
 */
export function registryFor(env: Readonly<Record<string, unknown>>, fetcher: typeof fetch = (input, init) => fetch(input, init)): ProviderRegistry {
  const key = JSON.stringify(CONFIG_VARS.map((k) => env[k] ?? null));
  if (cached?.key !== key) cached = { key, config: loadProviderConfig(env) };
  const issues = checkEnvironment(cached.config, env);
  if (issues.length > 0) throw new ProviderConfigError(issues);
  return new ProviderRegistry(cached.config, { fetch: fetcher, env });
}
