// Which format a request body is, from its Content-Type, and its text decoded
// strictly (a document with invalid UTF-8 is refused, not half read).

import type { DocumentFormat } from './book.ts';
import { documentError } from './errors.ts';

const FORMATS: Record<string, DocumentFormat> = {
  'application/epub+zip': 'epub',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/plain': 'text',
};

export interface DocumentType {
  format: DocumentFormat;
  /** The charset parameter, lowercased, or null. */
  charset: string | null;
}

/** Parses a Content-Type header; throws `unsupported_media_type` for anything Lector cannot read. */
export function documentTypeOf(contentType: string | null | undefined): DocumentType {
  const [essence = '', ...params] = (contentType ?? '').split(';');
  const mediaType = essence.trim().toLowerCase();
  const format = FORMATS[mediaType];
  if (!format) {
    throw documentError('unsupported_media_type', `unsupported document type "${mediaType}"; send application/epub+zip, text/markdown, text/html or text/plain`, {
      contentType: mediaType,
    });
  }
  let charset: string | null = null;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq > 0 && param.slice(0, eq).trim().toLowerCase() === 'charset') {
      charset = param.slice(eq + 1).trim().replace(/^"|"$/g, '').toLowerCase();
    }
  }
  return { format, charset };
}

/** Decodes a text document; `invalid_utf8` if the bytes are not valid in its charset (UTF-8 by default). */
export function decodeDocumentText(bytes: Uint8Array, charset: string | null = null): string {
  const label = charset ?? 'utf-8';
  // Not a literal: the runtimes' typings disagree on whether ignoreBOM is optional.
  const strict = { fatal: true, ignoreBOM: false };
  let decode: (input: Uint8Array) => string;
  try {
    const decoder = new TextDecoder(label, strict);
    decode = (input) => decoder.decode(input);
  } catch (cause) {
    throw documentError('unsupported_media_type', `unsupported charset "${label}"`, { charset: label, cause: String(cause) });
  }
  try {
    return decode(bytes);
  } catch {
    // The decoder's own message names no position; ours names the charset.
    throw documentError('invalid_utf8', `the document is not valid ${label === 'utf-8' || label === 'utf8' ? 'UTF-8' : label} text`);
  }
}
