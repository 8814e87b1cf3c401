// Errors of the worker pool, each with a stable code and whether another
// worker might succeed where this one failed.

export type PoolErrorCode =
  | 'worker_crashed'
  | 'worker_timeout'
  | 'worker_error'
  | 'worker_stopped'
  | 'handshake_failed'
  | 'circuit_open'
  | 'queue_full'
  | 'queue_timeout'
  | 'no_worker'
  | 'unknown_voice'
  | 'text_too_long'
  | 'cancelled'
  | 'shutting_down';

export class PoolError extends Error {
  readonly code: PoolErrorCode;
  /** True when the same request may succeed on another worker. */
  readonly retryable: boolean;
  /** For 429/503: seconds until trying again makes sense. */
  readonly retryAfterSeconds?: number;
  /** Engine error code reported by the worker, if any. */
  readonly engineCode?: string;

  constructor(
    code: PoolErrorCode,
    message: string,
    options: { retryable?: boolean; retryAfterSeconds?: number; engineCode?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PoolError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.engineCode = options.engineCode;
  }
}
