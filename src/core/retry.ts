// Retry policy for chunk synthesis: which failures are retried, and when.
// Pure, so the Durable Object and its tests agree on one definition.

export interface RetryPolicy {
  /** Attempts per chunk, the first included. */
  maxAttempts: number;
  /** Backoff before attempt 2; doubles each attempt. */
  baseDelayMs: number;
  /** Upper bound on one backoff. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/** 429, 5xx, timeouts and network failures are worth another try; other 4xx are not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500 || status === 0;
}

/**
 * Delay before the next attempt: exponential with full jitter, never less than
 * the server's Retry-After. `random` is injectable for tests.
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exp / 2 + random() * (exp / 2));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxDelayMs * 4));
}

/** Parses Retry-After (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * The backend could not be reached or had no capacity (network error, 502,
 * 503, 504): nothing about the chunk itself. Such failures pause the job but
 * do not spend the chunk's attempts, up to an outage limit.
 */
export function isUnavailableStatus(status: number): boolean {
  return status === 0 || status === 502 || status === 503 || status === 504;
}
