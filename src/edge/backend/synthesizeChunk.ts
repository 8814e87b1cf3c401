// One chunk: validate, route the voice to its provider, synthesize, store the
// audio in R2, and classify any failure as retryable or permanent.
import type { RawTtsFailure, RawTtsRequest, RawTtsResponse, VoiceInfo } from '../../core/api/types.ts';
import { WAV_HEADER_BYTES, encodeWav, parseWav } from '../../core/audio/wav.ts';
import { chunkAudioKey, isJobId } from '../../core/ids.ts';
import { getTextCharacterCount } from '../../core/text/count.ts';
import { scanMp3 } from './audio/mp3.ts';
import { scanAdts } from './audio/adts.ts';
import { OggOpusError, scanOggOpus } from './audio/oggOpus.ts';
import { ProviderConfigError } from './providers/config.ts';
import { canonicalWavHeader, putStreamed, readAll } from './wavPassThrough.ts';
import { registryFor, type ProviderRegistry, type VoiceLimits } from './providers/registry.ts';
import { transportError, type AudioFormat, type PendingBody, type SynthesisRequest, type SynthesisResult } from './providers/types.ts';
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
  /**
   * "1": a canonical WAV answer with a Content-Length is piped into R2 without being read whole
   * (wavPassThrough.ts). Off by default: locally it is faster and workerd holds ~50 MiB less, but
   * streaming into R2 costs the backend's isolate 9-13 ms of CPU per call against ~2 read whole
   * (docs/benchmarks.md, Session 5), close to the free plan's 10 ms per invocation.
   */
  STREAM_WAV_TO_R2?: string;
  /** Test hooks (chaos suite, test/chaos/r2-fault-hook.ts): "1" enables them; anything else ignores them. */
  LECTOR_TEST_FAULTS?: string;
  /** With LECTOR_TEST_FAULTS: the fraction of chunk writes to R2 that fail as if `put` threw. */
  FAULT_R2_WRITE_RATE?: string;
}

/** What `backends()` answers when the configuration is invalid: one backend whose every call fails with config_invalid. */
export const CONFIG_INVALID_BACKEND = 'config_invalid';

const DEFAULT_TIMEOUT_MS = 30_000;
const CHUNK_FORMATS: readonly AudioFormat[] = ['wav', 'mp3', 'opus', 'aac'];

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
  if (req.format !== undefined && !CHUNK_FORMATS.includes(req.format)) return fail('unsupported_format', `chunk format must be one of ${CHUNK_FORMATS.join(', ')}`, 400, false);
  if (req.speed !== undefined && !(typeof req.speed === 'number' && req.speed >= 0.25 && req.speed <= 4)) {
    return fail('invalid_speed', 'speed must be a number from 0.25 to 4', 400, false);
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
      // The job's format where the provider makes it; else its own (an MP3-only provider stays MP3).
      format: req.format && provider.limits.formats.includes(req.format) ? req.format : provider.format,
      signal: AbortSignal.timeout(req.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      ...(route.language ? { language: route.language } : {}),
      ...(req.speed !== undefined && req.speed !== 1 ? { speed: req.speed } : {}),
      hints,
      streamWav: env.STREAM_WAV_TO_R2 === '1',
    });
    const { rest, ...head } = result;
    if (rest) {
      const wav = canonicalWavHeader(head.audio, rest.length);
      if (wav) return await storeStreamed(env, req, provider.name, head, rest, wav.durationMs);
      // Not the canonical shape: read it whole and rewrite it as before.
      result = { ...head, audio: await readAll(head.audio, rest) };
    }
  } catch (e) {
    return transportError(provider.name, e).toFailure();
  }
  const stored = storable(result, provider.name);
  if ('error' in stored) return stored;
  const r2Key = chunkAudioKey(req.jobId, req.sentenceIndex, stored.ext);
  try {
    if (injectR2Fault(env)) throw new Error('injected R2 write fault (FAULT_R2_WRITE_RATE)');
    await env.TTS_AUDIO_BUCKET.put(r2Key, stored.audio, chunkPutOptions(req, provider.name, stored.mimeType, stored.durationMs));
  } catch (e) {
    return fail('storage_failed', `R2 write failed: ${String(e)}`, 503, true);
  }
  const out: RawTtsResponse = { r2Key, mimeType: stored.mimeType, jobId: req.jobId, sentenceIndex: req.sentenceIndex, bytes: stored.audio.byteLength, durationMs: stored.durationMs };
  if (result.words) out.words = result.words;
  if (req.returnAudio === true) out.audio = stored.audio;
  return out;
}

/** How a chunk's object is stored, by either path: its content type and what it is (job, index, voice, provider, duration). */
function chunkPutOptions(req: RawTtsRequest, provider: string, mimeType: string, durationMs: number | null): R2PutOptions {
  return {
    httpMetadata: { contentType: mimeType },
    customMetadata: { jobId: req.jobId, index: String(req.sentenceIndex), voice: req.voiceId, provider, durationMs: String(durationMs) },
  };
}

/** A canonical WAV still on the wire, piped into R2 (wavPassThrough.ts); the answer is as for a buffered one. */
async function storeStreamed(env: BackendEnv, req: RawTtsRequest, provider: string, result: SynthesisResult, rest: PendingBody, durationMs: number): Promise<RawTtsResponse | RawTtsFailure> {
  const r2Key = chunkAudioKey(req.jobId, req.sentenceIndex, 'wav');
  try {
    if (injectR2Fault(env)) {
      await rest.body.cancel().catch(() => undefined);
      throw new Error('injected R2 write fault (FAULT_R2_WRITE_RATE)');
    }
    await putStreamed(env.TTS_AUDIO_BUCKET, r2Key, result.audio, rest, chunkPutOptions(req, provider, 'audio/wav', durationMs));
  } catch (e) {
    // A cut answer fails the put the same way: the chunk is retried, never stored short.
    return fail('storage_failed', `R2 write failed: ${String(e)}`, 503, true);
  }
  const out: RawTtsResponse = { r2Key, mimeType: 'audio/wav', jobId: req.jobId, sentenceIndex: req.sentenceIndex, bytes: rest.length, durationMs };
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
  mimeType: string;
  ext: 'wav' | 'mp3' | 'opus' | 'aac';
  durationMs: number | null;
}

/** Exact durations keep microseconds: rounding each of 4,000 chunks to 1 ms would drift. */
const exactMs = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * Recognizes the audio by its bytes (providers label it loosely) and makes it
 * a chunk that concatenates: WAV becomes a canonical PCM16 WAV (44-byte
 * header); MP3 keeps only its whole audio frames (no ID3 tag, no Xing/Info
 * frame, no trailing tag); Ogg Opus is checked page by page and kept as is.
 * The duration is the encoded stream's: frames × samples per frame, or the
 * last granule minus the pre-skip. Only headers are read, nothing is decoded.
 */
function storable(result: SynthesisResult, provider: string): Storable | RawTtsFailure {
  const invalid = (why: string) => fail('synthesis_failed', `${provider} sent invalid audio: ${why}`, 502, true);
  const bytes = result.audio;
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  const mime = result.mimeType.split(';')[0]!.trim().toLowerCase();
  if (magic === 'RIFF') {
    try {
      const wav = parseWav(bytes);
      const audio = bytes.byteLength === WAV_HEADER_BYTES + wav.pcm.byteLength ? bytes : encodeWav(wav.pcm, wav.format);
      return { audio, mimeType: 'audio/wav', ext: 'wav', durationMs: wav.durationMs };
    } catch (e) {
      return invalid(String(e));
    }
  }
  if (magic === 'OggS') {
    try {
      const ogg = scanOggOpus(bytes);
      if (!ogg.ended) return invalid('Ogg Opus stream has no end-of-stream page');
      return { audio: bytes, mimeType: 'audio/ogg', ext: 'opus', durationMs: exactMs(ogg.durationMs) };
    } catch (e) {
      if (e instanceof OggOpusError) return invalid(e.message);
      throw e;
    }
  }
  // ADTS AAC (the long-form `/v1/audio/speech` aac stream): whole frames only.
  const adts = mime === 'audio/aac' || mime === 'audio/aacp' ? scanAdts(bytes) : null;
  if (adts) return { audio: bytes, mimeType: 'audio/aac', ext: 'aac', durationMs: exactMs(adts.durationMs) };
  const looksMp3 = mime === 'audio/mpeg' || mime === 'audio/mp3' || magic.startsWith('ID3') || (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0);
  const mp3 = looksMp3 ? scanMp3(bytes) : null;
  if (mp3) {
    const audio = mp3.audioStart === 0 && mp3.audioEnd === bytes.byteLength ? bytes : bytes.slice(mp3.audioStart, mp3.audioEnd);
    return { audio, mimeType: 'audio/mpeg', ext: 'mp3', durationMs: exactMs(mp3.durationMs) };
  }
  if (mime === 'audio/mpeg' || mime === 'audio/mp3') return invalid(`no MPEG audio frame in ${bytes.byteLength} bytes`);
  if (mime === 'audio/wav' || mime === 'audio/x-wav' || mime === 'audio/wave') return invalid('no RIFF header');
  if (mime === 'audio/ogg' || mime === 'audio/opus') return invalid('no Ogg page');
  return fail('synthesis_failed', `${provider} sent ${result.mimeType}, which Lector does not store (WAV, MP3 or Ogg Opus only)`, 502, false);
}

function fail(code: string, message: string, status: number, retryable: boolean, retryAfterMs?: number): RawTtsFailure {
  const error: RawTtsFailure['error'] = { code, message, status, retryable };
  if (retryAfterMs !== undefined) error.retryAfterMs = retryAfterMs;
  return { error };
}
