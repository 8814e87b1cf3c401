// A serializable success-or-error value. Durable Object RPC and service-binding
// calls return these instead of throwing, because a thrown error loses its
// `code` and `status` when it crosses an RPC boundary.
import { LectorError, type ErrorCode } from './errors.ts';

export interface WireError {
  code: ErrorCode;
  status: number;
  message: string;
  details?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: WireError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err(e: LectorError): { ok: false; error: WireError } {
  const error: WireError = { code: e.code, status: e.status, message: e.message };
  if (e.details) error.details = e.details;
  if (e.retryAfterSeconds !== undefined) error.retryAfterSeconds = e.retryAfterSeconds;
  return { ok: false, error };
}

/** Returns the value or throws the carried error as a LectorError. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  const { code, status, message, details, retryAfterSeconds } = r.error;
  throw new LectorError(code, status, message, { details, retryAfterSeconds });
}
