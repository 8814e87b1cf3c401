// HTTP errors of the synthesis service in OpenAI's JSON error shape
// `{ error: { message, type, param, code } }`; `code` is a Lector ErrorCode,
// so the body also satisfies the project-wide `{ error: { code, message } }`.

import type { ErrorCode } from '../../core/errors.ts';
import { EncoderError } from '../encoders/ffmpeg.ts';
import { PoolError } from '../pool/errors.ts';

export type OpenAIErrorType = 'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'server_error';

export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; param: string | null; code: ErrorCode };
}

export class SynthHttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly type: OpenAIErrorType;
  readonly param: string | null;
  readonly retryAfterSeconds?: number;

  constructor(status: number, code: ErrorCode, message: string, options: { param?: string; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SynthHttpError';
    this.status = status;
    this.code = code;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.type = status === 401 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  }

  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  toResponse(): Response {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (this.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(this.retryAfterSeconds)));
    if (this.status === 401) headers['www-authenticate'] = 'Bearer';
    return new Response(JSON.stringify(this.toBody()), { status: this.status, headers });
  }
}

/** Maps a manager failure to its HTTP answer. */
export function fromSynthesisError(error: unknown): SynthHttpError {
  if (error instanceof SynthHttpError) return error;
  if (error instanceof PoolError) {
    const retry = { retryAfterSeconds: error.retryAfterSeconds ?? 1, cause: error };
    switch (error.code) {
      case 'unknown_voice':
        return new SynthHttpError(400, 'unknown_voice', error.message, { param: 'voice', cause: error });
      case 'text_too_long':
        return new SynthHttpError(413, 'text_too_long', error.message, { param: 'input', cause: error });
      case 'queue_full':
        return new SynthHttpError(429, 'rate_limited', error.message, retry);
      case 'queue_timeout':
      case 'no_worker':
      case 'shutting_down':
      case 'circuit_open':
        return new SynthHttpError(503, 'backend_unavailable', error.message, retry);
      case 'worker_crashed':
      case 'worker_timeout':
      case 'worker_error':
      case 'worker_stopped':
      case 'handshake_failed':
        return new SynthHttpError(503, 'synthesis_failed', `synthesis failed: ${error.message}`, retry);
      case 'cancelled':
        return new SynthHttpError(400, 'bad_request', error.message, { cause: error });
    }
  }
  if (error instanceof RangeError) return new SynthHttpError(400, 'validation_failed', error.message, { param: 'speed', cause: error });
  if (error instanceof TypeError) return new SynthHttpError(400, 'validation_failed', error.message, { param: 'input', cause: error });
  return new SynthHttpError(500, 'internal', 'internal error', { cause: error });
}

/** Maps an encoder failure: a cancelled request stays a cancellation, anything else is the service's fault. */
export function fromEncoderError(error: unknown): SynthHttpError {
  if (error instanceof EncoderError) return new SynthHttpError(500, 'synthesis_failed', `encoding failed: ${error.message}`, { cause: error });
  return fromSynthesisError(error);
}
