// Provider configuration: the backend Worker's `PROVIDERS` var (JSON), typed
// and validated with zod. Pure (no Workers or Node globals), so the Worker
// checks it on first use and `npm start` can check it before wrangler starts.
// Every problem is reported with the field it is about.
import { z } from 'zod';
import { SERVER_KINDS, type AudioFormat, type ProviderType, type ServerKind } from './types.ts';

export const DEFAULT_GOOGLE_BASE_URL = 'https://texttospeech.googleapis.com';
export const DEFAULT_GOOGLE_KEY_SECRET = 'GOOGLE_TTS_API_KEY';

export const MELOTTS_MODEL = '@cf/myshell-ai/melotts';
export const AURA_MODELS = ['@cf/deepgram/aura-1', '@cf/deepgram/aura-2-en', '@cf/deepgram/aura-2-es'] as const;
export const WORKERS_AI_MODELS = [MELOTTS_MODEL, ...AURA_MODELS] as const;
export type WorkersAiModel = (typeof WORKERS_AI_MODELS)[number];
/** Sample rates Deepgram Aura accepts for linear16. */
export const AURA_SAMPLE_RATES = [8000, 16000, 24000, 32000, 48000] as const;

/** Defaults per provider type: limits below which each service is known to answer. */
export const PROVIDER_DEFAULTS: Readonly<Record<ProviderType, { maxChars: number; maxConcurrency: number; formats: readonly AudioFormat[] }>> = {
  // OpenAI's documented limit for /v1/audio/speech input; our service takes 16,384.
  'openai-compatible': { maxChars: 4096, maxConcurrency: 16, formats: ['wav', 'mp3'] },
  // Google limits input to 5,000 bytes: 1,250 code points fit whatever the script (≤ 4 UTF-8 bytes each).
  google: { maxChars: 1250, maxConcurrency: 8, formats: ['wav', 'mp3'] },
  // Aura takes up to 2,000 characters; MeloTTS documents no limit, so stay well below.
  'workers-ai': { maxChars: 1000, maxConcurrency: 4, formats: ['wav', 'mp3'] },
};

// ---- schema -------------------------------------------------------------------

const NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;
const SECRET_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const VOICE_ID_RE = /^[\w.:@+-]{1,100}$/;

const httpUrl = z.string().refine(isHttpUrl, { error: 'must be an http(s) URL' });
const secretName = z.string().regex(SECRET_RE, { error: 'must be the name of a Worker secret (letters, digits, _)' });
const maxChars = z.number().int().min(1).max(100_000).optional();
const maxConcurrency = z.number().int().min(1).max(64).optional();
const format = z.enum(['wav', 'mp3']).optional();

const openAiCompatibleSchema = z.strictObject({
  type: z.literal('openai-compatible'),
  /** What answers: `lector` (default without baseUrl), `openai` (default with one), `kokoro`, `piper` (docs/voice-control.md). */
  server: z.enum(SERVER_KINDS).optional(),
  wordTimestamps: z.boolean().optional(), // kokoro: from /dev/captioned_speech (default true)
  piperPath: z.string().regex(/^\/[\w./-]{0,100}$/, { error: 'must be a path starting with /' }).optional(), // piper: default /synthesize
  /** Server base URL; defaults to the SYNTH_URL var (our synthesis service). */
  baseUrl: httpUrl.optional(),
  /** More servers of the same kind, spread over by RouterCounter. Defaults to SYNTH_URLS when baseUrl is omitted. */
  baseUrls: z.array(httpUrl).max(32).optional(),
  /** Name of the secret holding a bearer token. */
  apiKeySecret: secretName.optional(),
  /** `model` of each request; the job's model otherwise, else `lector`. */
  model: z.string().min(1).max(200).optional(),
  format,
  /** Read the catalog from GET {baseUrl}/v1/voices (Lector's synthesis service shape). Default: only when baseUrl is omitted. */
  listVoices: z.boolean().optional(),
  maxChars,
  maxConcurrency,
});

const googleSchema = z.strictObject({
  type: z.literal('google'),
  baseUrl: httpUrl.optional(),
  apiKeySecret: secretName.optional(),
  audioEncoding: z.enum(['LINEAR16', 'MP3']).optional(),
  sampleRateHertz: z.number().int().min(8000).max(48_000).optional(),
  speakingRate: z.number().min(0.25).max(4).optional(),
  maxChars,
  maxConcurrency,
});

const workersAiSchema = z.strictObject({
  type: z.literal('workers-ai'),
  /** Name of the Workers AI binding (`"ai": { "binding": "AI" }` in wrangler.jsonc). */
  binding: z.string().regex(SECRET_RE, { error: 'must be a binding name' }).optional(),
  model: z.enum(WORKERS_AI_MODELS),
  format,
  /** Aura only: linear16 sample rate. */
  sampleRate: z.union(AURA_SAMPLE_RATES.map((r) => z.literal(r))).optional(),
  maxChars,
  maxConcurrency,
});

const providerSchema = z.discriminatedUnion('type', [openAiCompatibleSchema, googleSchema, workersAiSchema]);

const voiceSchema = z.strictObject({
  provider: z.string(),
  /** The provider's voice: Google voice name, Aura speaker, MeloTTS language, OpenAI-style voice. */
  voice: z.string().min(1).max(200),
  /** BCP-47 language; Google's languageCode (derived from the voice name when omitted). */
  language: z.string().min(2).max(35).optional(),
  name: z.string().min(1).max(200).optional(),
});

const configSchema = z.strictObject({
  /** Provider for voice ids not listed in `voices` (passed through as they are to an OpenAI-compatible provider). */
  default: z.string().optional(),
  providers: z.record(z.string().regex(NAME_RE, { error: 'provider names are lowercase letters, digits, - and _ (at most 32)' }), providerSchema),
  voices: z.record(z.string().regex(VOICE_ID_RE, { error: 'voice ids are 1-100 letters, digits and . : @ + - _' }), voiceSchema).optional(),
});

type RawConfig = z.infer<typeof configSchema>;

// ---- resolved configuration ------------------------------------------------------

interface ResolvedBase {
  name: string;
  maxChars: number;
  maxConcurrency: number;
  format: AudioFormat;
}

export interface OpenAiCompatibleConfig extends ResolvedBase {
  type: 'openai-compatible';
  /** First is the default; all are offered to RouterCounter. */
  urls: string[];
  apiKeySecret?: string;
  /** False when the secret is SYNTH_TOKEN picked up implicitly: use it if set. */
  apiKeyRequired: boolean;
  model?: string;
  listVoices: boolean;
  /** What answers; kokoro: word timestamps from /dev/captioned_speech; piper: its synthesize path. */
  server: ServerKind;
  wordTimestamps: boolean;
  piperPath: string;
}

export interface GoogleConfig extends ResolvedBase {
  type: 'google';
  baseUrl: string;
  apiKeySecret: string;
  audioEncoding: 'LINEAR16' | 'MP3';
  sampleRateHertz?: number;
  speakingRate?: number;
}

export interface WorkersAiConfig extends ResolvedBase {
  type: 'workers-ai';
  binding: string;
  model: WorkersAiModel;
  sampleRate?: number;
}

export type ResolvedProviderConfig = OpenAiCompatibleConfig | GoogleConfig | WorkersAiConfig;

export interface VoiceRoute {
  id: string;
  provider: string;
  voice: string;
  language?: string;
  name?: string;
}

export interface ProviderConfig {
  defaultProvider: string;
  providers: Record<string, ResolvedProviderConfig>;
  voices: Record<string, VoiceRoute>;
  /** True when PROVIDERS is not set and the config was built from SYNTH_URL / SYNTH_URLS / SYNTH_TOKEN. */
  implicit: boolean;
}

export interface ConfigIssue {
  /** The field, as a dotted path from the var: `PROVIDERS.providers.gcloud.apiKeySecret`, `SYNTH_URL`. */
  path: string;
  message: string;
}

export class ProviderConfigError extends Error {
  readonly code = 'config_invalid';
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(`invalid provider configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'ProviderConfigError';
    this.issues = issues;
  }
}

/** Name of the implicit provider built from SYNTH_URL when PROVIDERS is not set. */
export const IMPLICIT_PROVIDER = 'synth';

/**
 * Reads and validates the provider configuration from the backend Worker's
 * vars (`PROVIDERS`, and `SYNTH_URL` / `SYNTH_URLS` / `SYNTH_TOKEN` which
 * OpenAI-compatible providers without `baseUrl` use). Throws
 * ProviderConfigError naming every bad field. Secrets and bindings are not
 * checked here (see `checkEnvironment`).
 */
export function loadProviderConfig(vars: Readonly<Record<string, unknown>>): ProviderConfig {
  const issues: ConfigIssue[] = [];
  const raw = readProvidersVar(vars.PROVIDERS, issues);
  if (!raw) throw new ProviderConfigError(issues);
  const parsed = configSchema.safeParse(raw.value);
  if (!parsed.success) {
    throw new ProviderConfigError(parsed.error.issues.map((i) => zodIssue(i)));
  }
  const config = resolve(parsed.data, vars, raw.implicit, issues);
  if (issues.length > 0) throw new ProviderConfigError(issues);
  return config;
}

/**
 * The start-up check for Node (`npm start`, the stack runner): validates the
 * backend vars and, when given, that every secret the configuration names is
 * among `secrets` and every Workers AI binding among `bindings` (the backend
 * wrangler config's `ai.binding`). Never throws.
 */
export function validateProviderConfig(
  vars: Readonly<Record<string, unknown>>,
  opts: { secrets?: Readonly<Record<string, unknown>>; bindings?: readonly string[] } = {},
): { ok: true; config: ProviderConfig } | { ok: false; issues: ConfigIssue[]; message: string } {
  try {
    const config = loadProviderConfig(vars);
    const env: Record<string, unknown> = { ...opts.secrets };
    for (const b of opts.bindings ?? []) env[b] = { run: () => undefined };
    const issues = checkEnvironment(config, env, { secrets: opts.secrets !== undefined, bindings: opts.bindings !== undefined });
    if (issues.length === 0) return { ok: true, config };
    return { ok: false, issues, message: new ProviderConfigError(issues).message };
  } catch (e) {
    if (e instanceof ProviderConfigError) return { ok: false, issues: e.issues, message: e.message };
    throw e;
  }
}

/** Secrets and bindings the configuration needs, checked against the Worker's env. */
export function checkEnvironment(
  config: ProviderConfig,
  env: Readonly<Record<string, unknown>>,
  check: { secrets?: boolean; bindings?: boolean } = {},
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const base = 'PROVIDERS.providers.';
  for (const p of Object.values(config.providers)) {
    if (p.type === 'workers-ai') {
      const b = env[p.binding] as { run?: unknown } | undefined;
      if (check.bindings !== false && (!b || typeof b.run !== 'function')) {
        issues.push({ path: `${base}${p.name}.binding`, message: `no Workers AI binding named ${p.binding} (add "ai": { "binding": "${p.binding}" } to the backend's wrangler.jsonc)` });
      }
      continue;
    }
    const secret = p.apiKeySecret;
    const required = p.type === 'google' || p.apiKeyRequired;
    if (check.secrets !== false && secret && required && !nonEmptyString(env[secret])) {
      issues.push({ path: `${base}${p.name}.apiKeySecret`, message: `secret ${secret} is not set (deployed: wrangler secret put ${secret} -c src/edge/backend/wrangler.jsonc; npm start: set ${secret} in the environment)` });
    }
  }
  return issues;
}

/** The secrets a configuration reads, for tooling that forwards them to `wrangler dev`. */
export function secretNames(config: ProviderConfig): string[] {
  const out = new Set<string>();
  for (const p of Object.values(config.providers)) if (p.type !== 'workers-ai' && p.apiKeySecret) out.add(p.apiKeySecret);
  return [...out];
}

// ---- internals -------------------------------------------------------------------

function readProvidersVar(value: unknown, issues: ConfigIssue[]): { value: unknown; implicit: boolean } | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    return { value: { default: IMPLICIT_PROVIDER, providers: { [IMPLICIT_PROVIDER]: { type: 'openai-compatible' } } }, implicit: true };
  }
  if (typeof value === 'object') return { value, implicit: false };
  if (typeof value !== 'string') {
    issues.push({ path: 'PROVIDERS', message: `must be a JSON object (or a string holding one), got ${typeof value}` });
    return undefined;
  }
  try {
    return { value: JSON.parse(value) as unknown, implicit: false };
  } catch (e) {
    issues.push({ path: 'PROVIDERS', message: `is not valid JSON: ${e instanceof Error ? e.message : String(e)}` });
    return undefined;
  }
}

function zodIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const parts = issue.path.map(String);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    // Name the unknown field itself.
    return { path: ['PROVIDERS', ...parts, issue.keys[0] ?? '?'].join('.'), message: `unknown field${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}` };
  }
  if (issue.code === 'invalid_key') message = issue.issues[0]?.message ?? message;
  if (issue.code === 'invalid_union' && parts.at(-1) !== 'type' && 'discriminator' in issue) {
    parts.push('type');
    message = `must be one of openai-compatible, google, workers-ai`;
  }
  return { path: ['PROVIDERS', ...parts].join('.'), message };
}

function resolve(raw: RawConfig, vars: Readonly<Record<string, unknown>>, implicit: boolean, issues: ConfigIssue[]): ProviderConfig {
  const names = Object.keys(raw.providers);
  if (names.length === 0) issues.push({ path: 'PROVIDERS.providers', message: 'configure at least one provider' });
  const providers: Record<string, ResolvedProviderConfig> = {};
  for (const [name, p] of Object.entries(raw.providers)) {
    const d = PROVIDER_DEFAULTS[p.type];
    const common = { name, maxChars: p.maxChars ?? d.maxChars, maxConcurrency: p.maxConcurrency ?? d.maxConcurrency };
    switch (p.type) {
      case 'openai-compatible': {
        let urls: string[];
        let apiKeySecret = p.apiKeySecret;
        let apiKeyRequired = apiKeySecret !== undefined;
        if (p.baseUrl) {
          urls = [p.baseUrl, ...(p.baseUrls ?? [])];
        } else {
          const synthUrl = vars.SYNTH_URL;
          if (!nonEmptyString(synthUrl) || !isHttpUrl(synthUrl)) {
            issues.push({ path: 'SYNTH_URL', message: `must be an http(s) URL (provider ${name} has no baseUrl, so it uses SYNTH_URL)` });
            urls = [];
          } else {
            const extra = (nonEmptyString(vars.SYNTH_URLS) ? vars.SYNTH_URLS : '').split(',').map((s) => s.trim()).filter(Boolean);
            const bad = extra.find((u) => !isHttpUrl(u));
            if (bad) issues.push({ path: 'SYNTH_URLS', message: `${JSON.stringify(bad)} is not an http(s) URL` });
            urls = [synthUrl, ...(p.baseUrls ?? extra)];
          }
          if (!apiKeySecret && nonEmptyString(vars.SYNTH_TOKEN)) apiKeySecret = 'SYNTH_TOKEN';
          if (!p.apiKeySecret) apiKeyRequired = false;
        }
        const server: ServerKind = p.server ?? (p.baseUrl ? 'openai' : 'lector');
        if (server === 'piper' && p.format === 'mp3') issues.push({ path: `PROVIDERS.providers.${name}.format`, message: 'Piper servers answer WAV only' });
        const resolved: OpenAiCompatibleConfig = {
          type: 'openai-compatible',
          ...common,
          format: p.format ?? 'wav',
          urls: [...new Set(urls)],
          apiKeyRequired,
          listVoices: p.listVoices ?? server !== 'openai',
          server,
          wordTimestamps: p.wordTimestamps ?? true,
          piperPath: p.piperPath ?? '/synthesize',
        };
        if (apiKeySecret) resolved.apiKeySecret = apiKeySecret;
        if (p.model) resolved.model = p.model;
        providers[name] = resolved;
        break;
      }
      case 'google': {
        const encoding = p.audioEncoding ?? 'LINEAR16';
        const resolved: GoogleConfig = {
          type: 'google',
          ...common,
          format: encoding === 'MP3' ? 'mp3' : 'wav',
          baseUrl: p.baseUrl ?? DEFAULT_GOOGLE_BASE_URL,
          apiKeySecret: p.apiKeySecret ?? DEFAULT_GOOGLE_KEY_SECRET,
          audioEncoding: encoding,
        };
        if (p.sampleRateHertz !== undefined) resolved.sampleRateHertz = p.sampleRateHertz;
        if (p.speakingRate !== undefined) resolved.speakingRate = p.speakingRate;
        providers[name] = resolved;
        break;
      }
      case 'workers-ai': {
        const melo = p.model === MELOTTS_MODEL;
        if (melo && p.format === 'wav') {
          issues.push({ path: `PROVIDERS.providers.${name}.format`, message: `${MELOTTS_MODEL} returns MP3 only; use "mp3" or an Aura model (${AURA_MODELS.join(', ')}) for WAV` });
        }
        if (melo && p.sampleRate !== undefined) {
          issues.push({ path: `PROVIDERS.providers.${name}.sampleRate`, message: `${MELOTTS_MODEL} has no sample rate setting` });
        }
        const resolved: WorkersAiConfig = { type: 'workers-ai', ...common, format: p.format ?? (melo ? 'mp3' : 'wav'), binding: p.binding ?? 'AI', model: p.model };
        if (p.sampleRate !== undefined) resolved.sampleRate = p.sampleRate;
        providers[name] = resolved;
        break;
      }
    }
  }
  let defaultProvider = raw.default;
  if (defaultProvider === undefined) {
    if (names.length === 1) defaultProvider = names[0]!;
    else if (names.length > 1) issues.push({ path: 'PROVIDERS.default', message: `required when several providers are configured (one of ${names.join(', ')})` });
  } else if (!providers[defaultProvider]) {
    issues.push({ path: 'PROVIDERS.default', message: `names no configured provider (have ${names.join(', ') || 'none'})` });
  }
  const voices: Record<string, VoiceRoute> = {};
  for (const [id, v] of Object.entries(raw.voices ?? {})) {
    if (!providers[v.provider]) {
      issues.push({ path: `PROVIDERS.voices.${id}.provider`, message: `names no configured provider (have ${names.join(', ') || 'none'})` });
      continue;
    }
    const route: VoiceRoute = { id, provider: v.provider, voice: v.voice };
    if (v.language) route.language = v.language;
    if (v.name) route.name = v.name;
    voices[id] = route;
  }
  return { defaultProvider: defaultProvider ?? '', providers, voices, implicit };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false; // not a URL: reported by the caller as a config issue
  }
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}
