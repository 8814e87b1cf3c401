// The provider contract: one call turns text into audio in one voice. Every
// provider (OpenAI-compatible servers, Google Cloud TTS, Workers AI) implements
// it; the backend Worker routes each chunk to one by its voice id.
import type { RawTtsFailure, WordTiming } from '../../../core/api/types.ts';

export const PROVIDER_TYPES = ['openai-compatible', 'google', 'workers-ai'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** Which server speaks behind an `openai-compatible` provider: its voice listing, word timings and speed differ. */
export const SERVER_KINDS = ['lector', 'openai', 'kokoro', 'piper'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/**
 * What a chunk is stored as (docs/formats.md). `wav` is a canonical PCM16 WAV
 * (44-byte header); `mp3` raw MPEG frames as `audio/mpeg` under `.mp3`;
 * `opus` one Ogg Opus stream as `audio/ogg` under `.opus`.
 */
export type AudioFormat = 'wav' | 'mp3' | 'opus' | 'aac';

export const MIME_TYPES: Readonly<Record<AudioFormat, string>> = { wav: 'audio/wav', mp3: 'audio/mpeg', opus: 'audio/ogg', aac: 'audio/aac' };

export interface SynthesisRequest {
  text: string;
  /** The provider's own voice name (Google `en-US-Neural2-C`, Aura `asteria`, MeloTTS language...). */
  voice: string;
  format: AudioFormat;
  signal: AbortSignal;
  /** BCP-47 language of the voice, where the provider wants one (Google `languageCode`). */
  language?: string;
  /** Speed multiplier 0.25–4.0 (1 when absent), for providers that take one. */
  speed?: number;
  /** Context that some providers pass on: job and chunk (for logs and fault injection), model, chosen endpoint. */
  hints?: { jobId?: string; index?: number; model?: string; endpoint?: string };
  /**
   * The caller can store a WAV still on the wire: a provider may answer with only its first
   * bytes in `audio` and the rest in `rest` (see wavPassThrough.ts). Others ignore it.
   */
  streamWav?: boolean;
}

/** The first bytes of an answer are in `audio`; this is the unread rest (../wavPassThrough.ts). */
export interface PendingBody {
  /** The rest of the body, after the bytes already read. */
  body: ReadableStream<Uint8Array>;
  /** Length of the whole body, from Content-Length. */
  length: number;
}

export interface SynthesisResult {
  /** The audio; with `rest`, only its first bytes. */
  audio: Uint8Array;
  mimeType: string;
  words?: WordTiming[];
  /** The unread rest of the body (only when the request set `streamWav`). */
  rest?: PendingBody;
}

/** What one provider can do; the orchestrator splits and dispatches within these. */
export interface ProviderLimits {
  /** Most characters (code points) in one request; the splitter keeps chunks at or below it. */
  maxChars: number;
  /** Most requests in flight at once per job; the dispatcher caps job concurrency at it. */
  maxConcurrency: number;
  /** The formats this provider can produce. */
  formats: readonly AudioFormat[];
}

export interface Provider {
  readonly name: string;
  readonly type: ProviderType;
  readonly limits: ProviderLimits;
  /** The format this deployment asks the provider for (one of `limits.formats`). */
  readonly format: AudioFormat;
  /**
   * Backend ids RouterCounter may spread this provider's chunks over: the
   * server URLs of an OpenAI-compatible provider, else one `name:type` id.
   */
  readonly endpoints: readonly string[];
  synthesize(req: SynthesisRequest): Promise<SynthesisResult>;
}

/** A failed synthesis, classified for the retry policy. Errors are values with a code. */
export class ProviderError extends Error {
  readonly code: string;
  /** HTTP status of the provider's answer, or 0 when there was none. */
  readonly status: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(code: string, message: string, opts: { status: number; retryable: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ProviderError';
    this.code = code;
    this.status = opts.status;
    this.retryable = opts.retryable;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }

  toFailure(): RawTtsFailure {
    const error: RawTtsFailure['error'] = { code: this.code, message: this.message, status: this.status, retryable: this.retryable };
    if (this.retryAfterMs !== undefined) error.retryAfterMs = this.retryAfterMs;
    return { error };
  }
}

/** A thrown fetch/AI-binding error as a ProviderError: timeouts and network failures are retryable. */
export function transportError(provider: string, e: unknown): ProviderError {
  if (e instanceof ProviderError) return e;
  const name = (e as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ProviderError('timeout', `${provider}: no answer in time (${String(e)})`, { status: 0, retryable: true, cause: e });
  }
  return new ProviderError('backend_unavailable', `${provider}: request failed: ${String(e)}`, { status: 0, retryable: true, cause: e });
}
