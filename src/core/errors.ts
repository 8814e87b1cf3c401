// Typed errors shared by every tier: a stable `code`, an HTTP status, and the
// `{ error: { code, message } }` body that every Lector API answers with.

export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'empty_text'
  | 'text_too_long'
  | 'chunk_too_long'
  | 'unknown_voice'
  | 'unknown_splitting'
  | 'invalid_ssml'
  | 'invalid_lexicon'
  | 'lexicon_too_large'
  | 'invalid_speed'
  | 'invalid_job_id'
  | 'invalid_chunk_index'
  | 'job_not_found'
  | 'job_expired'
  | 'chunk_not_found'
  | 'chunk_not_ready'
  // Redoing a passage (docs/voice-control.md).
  | 'job_not_redoable'
  | 'chunk_busy'
  | 'job_exists'
  | 'unauthorized'
  | 'forbidden_origin'
  | 'quota_exceeded'
  | 'unsupported_format'
  | 'rate_limited'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'method_not_allowed'
  | 'not_found'
  | 'backend_unavailable'
  | 'synthesis_failed'
  | 'storage_failed'
  | 'timeout'
  | 'internal'
  // Documents (src/core/documents): what is wrong with an uploaded book.
  | 'document_too_large'
  | 'document_empty'
  | 'document_too_complex'
  | 'invalid_utf8'
  | 'invalid_chapter_selection'
  | 'epub_not_zip'
  | 'epub_corrupt'
  | 'epub_zip_bomb'
  | 'epub_drm'
  | 'epub_no_container'
  | 'epub_no_package'
  | 'epub_malformed_xml'
  | 'epub_missing_resource'
  | 'epub_no_spine'
  // Audiobooks (docs/audiobook.md).
  | 'source_missing'
  | 'invalid_audio_format'
  | 'book_not_ready'
  | 'chapter_not_found'
  | 'range_not_satisfiable'
  // Webhooks and podcast feeds (docs/webhooks-and-feeds.md).
  | 'invalid_webhook'
  | 'feed_not_found';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export class LectorError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: Record<string, unknown>;
  /** Seconds the client should wait before retrying (429/503). */
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    status: number,
    message: string,
    opts: { details?: Record<string, unknown>; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LectorError';
    this.code = code;
    this.status = status;
    this.details = opts.details;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message };
    if (this.details) error.details = this.details;
    return { error };
  }

  toResponse(extraHeaders: Record<string, string> = {}): Response {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...extraHeaders };
    if (this.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.ceil(this.retryAfterSeconds));
    return new Response(JSON.stringify(this.toBody()), { status: this.status, headers });
  }
}

export function isLectorError(e: unknown): e is LectorError {
  return e instanceof LectorError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'LectorError');
}
