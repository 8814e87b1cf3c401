// One chunk: validate, call the synthesis provider, store the audio in R2,
// and classify any failure as retryable or permanent.
import type { RawTtsFailure, RawTtsRequest, RawTtsResponse, VoiceInfo, WordTiming } from '../../core/api/types.ts';
import { WAV_HEADER_BYTES, encodeWav, parseWav } from '../../core/audio/wav.ts';
import { chunkAudioKey, isJobId } from '../../core/ids.ts';
import { isRetryableStatus, parseRetryAfter } from '../../core/retry.ts';

export interface BackendEnv {
  TTS_AUDIO_BUCKET: R2Bucket;
  /** Base URL of an OpenAI-compatible speech server (our synthesis service by default). */
  SYNTH_URL: string;
  /** More synthesis servers, comma-separated; RouterCounter spreads chunks over SYNTH_URL and these. */
  SYNTH_URLS?: string;
  /** Optional bearer token for that server (a secret). */
  SYNTH_TOKEN?: string;
}

/** The configured synthesis backends, SYNTH_URL first. */
export function synthBackends(env: BackendEnv): string[] {
  const extra = (env.SYNTH_URLS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return [...new Set([env.SYNTH_URL, ...extra])];
}

const DEFAULT_TIMEOUT_MS = 30_000;

export async function synthesizeChunk(env: BackendEnv, req: RawTtsRequest): Promise<RawTtsResponse | RawTtsFailure> {
  if (!isJobId(req.jobId) || !Number.isSafeInteger(req.sentenceIndex) || req.sentenceIndex < 0 || typeof req.text !== 'string') {
    return fail('bad_request', 'invalid rawtts request', 400, false);
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    // For the synthesis service's logs and for fault injection in tests.
    'x-lector-job': req.jobId,
    'x-lector-chunk': String(req.sentenceIndex),
  };
  if (env.SYNTH_TOKEN) headers.authorization = `Bearer ${env.SYNTH_TOKEN}`;
  let res: Response;
  try {
    res = await fetch(new URL('/v1/audio/speech', pickBackend(env, req.backendUrl)), {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: req.model ?? 'lector', input: req.text, voice: req.voiceId, response_format: 'wav' }),
      signal: AbortSignal.timeout(req.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (e) {
    const name = (e as { name?: string }).name;
    const code = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'backend_unavailable';
    return fail(code, `synthesis request failed: ${String(e)}`, 0, true);
  }
  if (!res.ok) {
    const detail = (await res.text().catch(() => '')).slice(0, 300);
    return fail('synthesis_failed', `synthesis service answered ${res.status}: ${detail}`, res.status, isRetryableStatus(res.status), parseRetryAfter(res.headers.get('retry-after')));
  }
  let audio: Uint8Array = new Uint8Array(await res.arrayBuffer());
  const mimeType = 'audio/wav';
  let durationMs: number | null = null;
  try {
    const wav = parseWav(audio);
    durationMs = wav.durationMs;
    // Store canonical WAVs (44-byte header) so the full-audio stream can size itself from row bytes.
    if (audio.byteLength !== WAV_HEADER_BYTES + wav.pcm.byteLength) audio = encodeWav(wav.pcm, wav.format);
  } catch (e) {
    return fail('synthesis_failed', `synthesis service sent invalid audio: ${String(e)}`, 502, true);
  }
  const words = parseWordsHeader(res.headers.get('x-lector-words'), req.text);
  const r2Key = chunkAudioKey(req.jobId, req.sentenceIndex, 'wav');
  try {
    await env.TTS_AUDIO_BUCKET.put(r2Key, audio, {
      httpMetadata: { contentType: mimeType },
      customMetadata: { jobId: req.jobId, index: String(req.sentenceIndex), voice: req.voiceId, durationMs: String(durationMs) },
    });
  } catch (e) {
    return fail('storage_failed', `R2 write failed: ${String(e)}`, 503, true);
  }
  const out: RawTtsResponse = { r2Key, mimeType, jobId: req.jobId, sentenceIndex: req.sentenceIndex, bytes: audio.byteLength, durationMs };
  if (words) out.words = words;
  return out;
}

/** Only configured backends may be named by the caller. */
function pickBackend(env: BackendEnv, requested: string | undefined): string {
  if (requested && synthBackends(env).includes(requested)) return requested;
  return env.SYNTH_URL;
}

function fail(code: string, message: string, status: number, retryable: boolean, retryAfterMs?: number): RawTtsFailure {
  const error: RawTtsFailure['error'] = { code, message, status, retryable };
  if (retryAfterMs !== undefined) error.retryAfterMs = retryAfterMs;
  return { error };
}

/** `x-lector-words: [[offset, length, startMs, endMs], ...]` → word timings. */
function parseWordsHeader(header: string | null, text: string): WordTiming[] | undefined {
  if (!header) return undefined;
  try {
    const rows = JSON.parse(header) as [number, number, number, number][];
    return rows.map(([offset, length, startMs, endMs]) => ({ text: text.slice(offset, offset + length), offset, startMs, endMs }));
  } catch (e) {
    console.warn('backend: ignoring malformed x-lector-words header', String(e));
    return undefined;
  }
}

/** The synthesis service's voice catalog (`GET /v1/voices`). */
export async function listVoices(env: BackendEnv): Promise<VoiceInfo[]> {
  const headers: Record<string, string> = {};
  if (env.SYNTH_TOKEN) headers.authorization = `Bearer ${env.SYNTH_TOKEN}`;
  const res = await fetch(new URL('/v1/voices', env.SYNTH_URL), { headers, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`voice catalog answered ${res.status}`);
  const body = (await res.json()) as { voices: VoiceInfo[] };
  return body.voices.map((v) => ({ ...v, provider: 'openai-compatible' }));
}
