// Typed errors for bad documents: one stable code per problem, always a 4xx.

import { LectorError, type ErrorCode } from '../errors.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  unsupported_media_type: 415,
  document_too_large: 413,
  epub_zip_bomb: 413,
  epub_drm: 422,
  document_too_complex: 422,
};

/** A LectorError for a document problem; 400 unless the code says otherwise. */
export function documentError(code: ErrorCode, message: string, details?: Record<string, unknown>): LectorError {
  return new LectorError(code, STATUS[code] ?? 400, message, details ? { details } : {});
}
