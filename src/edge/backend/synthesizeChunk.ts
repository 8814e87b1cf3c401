// One chunk: validate, route the voice to its provider, synthesize, store the
// audio in R2, and classify any failure as retryable or permanent.
import type { RawTtsFailure, RawTtsRequest, RawTtsResponse, VoiceInfo } from '../../core/api/types.ts';
import { WAV_HEADER_BYTES, encodeWav, parseWav } from '../../core/audio/wav.ts';
import { chunkAudioKey, isJobId } from '../../core/ids.ts';
import { getTextCharacterCount } from '../../core/text/count.ts';
import { mp3DurationMs } from './audio/mp3.ts';
import { ProviderConfigError } from './providers/config.ts';
import { registryFor, type ProviderRegistry, type VoiceLimits } from './providers/registry.ts';
import { transportError, type SynthesisRequest, type SynthesisResult } from './providers/types.ts';
import type { AiRunner } from './providers/workersAi.ts';

export interface BackendEnv {
  TTS_AUDIO_BUCKET: R2Bucket;
  /**
   * Providers and voice routing, JSON (see docs/providers.md). When unset, one
   * OpenAI-compatible provider at SYNTH_URL takes every voice.
   */
  PROVIDERS?: string | object;
  /** Base URL of our synthesis service; OpenAI-compatible providers without `baseUrl` use it. */
  SYNTH_URL?: string;
  /** More synthesis servers, comma-separated; RouterCounter spreads chunks over SYNTH_URL and these. */
  SYNTH_URLS?: string;
  /** Optional bearer token for that server (a secret). */
  SYNTH_TOKEN?: string;
  /** Workers AI (deployed mode), for `workers-ai` providers. */
  AI?: AiRunner;
  /** Test hooks (chaos suite, test/chaos/r2-fault-hook.ts): "1" enables them; anything else ignores them. */
  LECTOR_TEST_FAULTS?: string;
  /** With LECTOR_TEST_FAULTS: the fraction of chunk writes to R2 that fail as if `put` threw. */
  FAULT_R2_WRITE_RATE?: string;
}

/** What `backends()` answers when the configuration is invalid: one backend whose every call fails with config_invalid. */
export const CONFIG_INVALID_BACKEND = 'config_invalid';

const DEFAULT_TIMEOUT_MS = 30_000;

/** Options for tests: the fetch the providers use. */
export interface ChunkDeps {
  fetch?: typeof fetch;
}

function registry(env: BackendEnv, deps: ChunkDeps = {}): ProviderRegistry {
  return registryFor(env as unknown as Readonly<Record<string, unknown>>, deps.fetch);
}

/** The configured synthesis backends, the default provider's first. */
export function synthBackends(env: BackendEnv): string[] {
  try {
    return registry(env).endpoints();
  } catch (e) {
    if (!(e instanceof ProviderConfigError)) throw e;
    console.error(`backend: ${e.message}`);
    return [CONFIG_INVALID_BACKEND];
  }
}

/** The merged voice catalog of every provider. */
export async function listVoices(env: BackendEnv, deps: ChunkDeps = {}): Promise<VoiceInfo[]> {
  return registry(env, deps).voices();
}

/** Limits of the provider a voice routes to; null for a voice no provider takes. */
export function voiceLimits(env: BackendEnv, voiceId: string): VoiceLimits | null {
  if (typeof voiceId !== 'string') return null;
  return registry(env).limits(voiceId) ?? null;
}

export async function synthesizeChunk(env: BackendEnv, req: RawTtsRequest, deps: ChunkDeps = {}): Promise<RawTtsResponse | RawTtsFailure> {
  if (!isJobId(req.jobId) || !Number.isSafeInteger(req.sentenceIndex) || req.sentenceIndex < 0 || typeof req.text !== 'string' || typeof req.voiceId !== 'string') {
    return fail('bad_request', 'invalid rawtts request', 400, false);
  }
  let providers: ProviderRegistry;
  try {
    providers = registry(env, deps);
  } catch (e) {
    if (e instanceof ProviderConfigError) return fail('config_invalid', e.message, 500, false);
    throw e;
  }
  const route = providers.route(req.voiceId);
  if (!route) {
    const d = providers.config.defaultProvider;
    return fail('unknown_voice', `voice "${req.voiceId.slice(0, 100)}" is not in PROVIDERS.voices, and the default provider ${d} (${providers.config.providers[d]?.type}) takes only configured voices`, 400, false);
  }
  const provider = route.provider;
  const chars = getTextCharacterCount(req.text);
  if (chars > provider.limits.maxChars) {
    return fail('chunk_too_long', `chunk has ${chars} characters; provider ${provider.name} takes at most ${provider.limits.maxChars} (voiceLimits().maxChars)`, 413, false);
  }
  let result: SynthesisResult;
  try {
    const hints: NonNullable<SynthesisRequest['hints']> = { jobId: req.jobId, index: req.sentenceIndex };
    if (req.model) hints.model = req.model;
    if (req.backendUrl) hints.endpoint = req.backendUrl;
    result = await provider.synthesize({
      text: req.text,
      voice: route.voice,
      format: provider.format,
      signal: AbortSignal.timeout(req.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      ...(route.language ? { language: route.language } : {}),
      hints,
    });
  } catch (e) {
    return transportError(provider.name, e).toFailure();
  }
  const stored = storable(result, provider.name);
  if ('error' in stored) return stored;
  const r2Key = chunkAudioKey(req.jobId, req.sentenceIndex, stored.ext);
  try {
    if (injectR2Fault(env)) throw new Error('injected R2 write fault (FAULT_R2_WRITE_RATE)');
    await env.TTS_AUDIO_BUCKET.put(r2Key, stored.audio, {
      httpMetadata: { contentType: stored.mimeType },
      customMetadata: { jobId: req.jobId, index: String(req.sentenceIndex), voice: req.voiceId, provider: provider.name, durationMs: String(stored.durationMs) },
    });
  } catch (e) {
    return fail('storage_failed', `R2 write failed: ${String(e)}`, 503, true);
  }
  const out: RawTtsResponse = { r2Key, mimeType: stored.mimeType, jobId: req.jobId, sentenceIndex: req.sentenceIndex, bytes: stored.audio.byteLength, durationMs: stored.durationMs };
  if (result.words) out.words = result.words;
  return out;
}

/** The chaos suite's R2 write fault: only when LECTOR_TEST_FAULTS is "1". */
function injectR2Fault(env: BackendEnv): boolean {
  if (env.LECTOR_TEST_FAULTS !== '1') return false;
  const rate = Number(env.FAULT_R2_WRITE_RATE ?? 0);
  return Number.isFinite(rate) && rate > 0 && Math.random() < rate;
}

interface Storable {
  audio: Uint8Array;
  mimeType: 'audio/wav' | 'audio/mpeg';
  ext: 'wav' | 'mp3';
  durationMs: number | null;
}

/**
 * WAV becomes a canonical PCM16 WAV (44-byte header), which the full-audio
 * stream sizes from row bytes; MP3 is stored as it came, as `audio/mpeg`.
 */
function storable(result: SynthesisResult, provider: string): Storable | RawTtsFailure {
  const mime = result.mimeType.split(';')[0]!.trim().toLowerCase();
  if (mime === 'audio/wav' || mime === 'audio/x-wav' || mime === 'audio/wave') {
    try {
      const wav = parseWav(result.audio);
      const audio = result.audio.byteLength === WAV_HEADER_BYTES + wav.pcm.byteLength ? result.audio : encodeWav(wav.pcm, wav.format);
      return { audio, mimeType: 'audio/wav', ext: 'wav', durationMs: wav.durationMs };
    } catch (e) {
      return fail('synthesis_failed', `${provider} sent invalid audio: ${String(e)}`, 502, true);
    }
  }
  if (mime === 'audio/mpeg' || mime === 'audio/mp3') {
    const durationMs = mp3DurationMs(result.audio);
    if (durationMs === null) return fail('synthesis_failed', `${provider} sent invalid audio: no MPEG audio frame in ${result.audio.byteLength} bytes`, 502, true);
    return { audio: result.audio, mimeType: 'audio/mpeg', ext: 'mp3', durationMs };
  }
  return fail('synthesis_failed', `${provider} sent ${result.mimeType}, which Lector does not store (WAV or MP3 only)`, 502, false);
}

function fail(code: string, message: string, status: number, retryable: boolean, retryAfterMs?: number): RawTtsFailure {
  const error: RawTtsFailure['error'] = { code, message, status, retryable };
  if (retryAfterMs !== undefined) error.retryAfterMs = retryAfterMs;
  return { error };
}
