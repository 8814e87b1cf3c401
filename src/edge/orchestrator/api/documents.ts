// Books in: a document uploaded as the raw request body (EPUB, Markdown, HTML,
// plain text, told apart by Content-Type, options in the query string), or a
// JSON request with `inputFormat`, `chapters`, `title`, `author`,
// `audioFormat`; both become a book job (chapters, metadata, audio format).
import type { CreateJobRequest, JobAudioFormat } from '../../../core/api/types.ts';
import { JOB_AUDIO_FORMATS } from '../../../core/api/types.ts';
import type { Book } from '../../../core/documents/index.ts';
import { DEFAULT_DOCUMENT_LIMITS, documentTypeOf, openEpub, parseDocument, parseHtmlBook, parseMarkdownBook, parsePlainTextBook, selectChapters } from '../../../core/documents/index.ts';
import { LectorError } from '../../../core/errors.ts';
import { jobAudioPrefix } from '../../../core/ids.ts';
import { MAX_COVER_BYTES } from '../assembly/plan.ts';
import type { BookInput } from '../job/BookSource.ts';

/** Content types accepted as a raw document body. */
const DOCUMENT_TYPES = /^(application\/epub\+zip|text\/markdown|text\/x-markdown|text\/html|application\/xhtml\+xml|text\/plain)\b/i;

/** Largest raw document body: the EPUB limit (a long illustrated novel fits). */
export const MAX_DOCUMENT_BYTES = DEFAULT_DOCUMENT_LIMITS.maxEpubBytes;

export function isDocumentUpload(contentType: string | undefined | null): boolean {
  return !!contentType && DOCUMENT_TYPES.test(contentType.trim());
}

/** A book ready for a job: its input for the Durable Object, and what to store in R2 before the job starts. */
export interface PreparedBook {
  input: BookInput;
  /** Characters charged to the caller's daily quota (an EPUB's declared text size until it is read). */
  chargeChars: number;
  /** Objects to put under the job's prefix before it starts (the EPUB itself, the cover). */
  uploads(jobId: string): { key: string; bytes: Uint8Array; contentType: string }[];
}

export function parseAudioFormat(value: string | undefined, fallback: JobAudioFormat): JobAudioFormat {
  if (value === undefined || value === '') return fallback;
  if (!(JOB_AUDIO_FORMATS as readonly string[]).includes(value)) {
    throw new LectorError('invalid_audio_format', 400, `audioFormat must be one of ${JOB_AUDIO_FORMATS.join(', ')}`, { details: { field: 'audioFormat' } });
  }
  return value as JobAudioFormat;
}

function coverExt(mime: string): string {
  return ({ 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'image/svg+xml': 'svg' } as Record<string, string>)[mime] ?? 'img';
}

function selected<T extends { index: number }>(chapters: T[], spec: string | undefined): { chapters: T[]; selection: number[] | null } {
  if (spec === undefined || spec === '') return { chapters, selection: null };
  const picked = selectChapters(spec, chapters.length);
  const keep = new Set(picked);
  return { chapters: chapters.filter((c) => keep.has(c.index)), selection: picked };
}

interface BookOptions {
  title?: string | undefined;
  author?: string | undefined;
  audioFormat: JobAudioFormat;
  chapters?: string | undefined;
}

/** A parsed book (Markdown, HTML, plain text or JSON chapters) as a job's input. */
function fromBook(book: Book, o: BookOptions): PreparedBook {
  const numbered = book.chapters.map((c, i) => ({ index: i + 1, title: c.title, text: c.text }));
  const { chapters } = selected(numbered, o.chapters);
  const cover = book.cover && book.cover.bytes.length <= MAX_COVER_BYTES ? book.cover : null;
  return {
    input: {
      title: o.title ?? book.metadata.title,
      author: o.author ?? book.metadata.author,
      audioFormat: o.audioFormat,
      chapters,
    },
    chargeChars: chapters.reduce((n, c) => n + c.text.length, 0),
    uploads: (jobId) => (cover ? [{ key: `${jobAudioPrefix(jobId)}cover.${coverExt(cover.mimeType)}`, bytes: cover.bytes, contentType: cover.mimeType }] : []),
  };
}

/** A raw document body: EPUB (read section by section in the job) or a text document (read here). */
export function prepareUpload(bytes: Uint8Array, contentType: string, o: BookOptions): PreparedBook {
  const { format } = documentTypeOf(contentType);
  if (format !== 'epub') return fromBook(parseDocument(bytes, contentType), o);
  // Opening reads the ZIP index, the package, the TOC and the cover: small, bounded work. The
  // chapters themselves are read by the job's alarms, one section each.
  const pkg = openEpub(bytes);
  const { chapters, selection } = selected(pkg.chapters, o.chapters);
  const cover = pkg.cover && pkg.cover.bytes.length <= MAX_COVER_BYTES ? pkg.cover : null;
  return {
    input: {
      title: o.title ?? pkg.metadata.title,
      author: o.author ?? pkg.metadata.author,
      audioFormat: o.audioFormat,
      epub: { key: '', sections: pkg.sections.length, chapters: chapters.map((c) => ({ index: c.index, title: c.title })), selection },
    },
    chargeChars: pkg.sections.reduce((n, s) => n + s.size, 0),
    uploads: (jobId) => {
      const out = [{ key: `${jobAudioPrefix(jobId)}source.epub`, bytes, contentType: 'application/epub+zip' }];
      if (cover) out.push({ key: `${jobAudioPrefix(jobId)}cover.${coverExt(cover.mimeType)}`, bytes: cover.bytes, contentType: cover.mimeType });
      return out;
    },
  };
}

/** True when a JSON request asks for a book job (chapters, metadata, a format or an input format). */
export function isBookRequest(req: CreateJobRequest): boolean {
  return req.inputFormat !== undefined || req.chapters !== undefined || req.title !== undefined || req.author !== undefined || req.audioFormat !== undefined || req.chapterSelection !== undefined;
}

/** A JSON request's book: chapters given, or `text` read as its `inputFormat`. */
export function prepareJson(req: CreateJobRequest): PreparedBook {
  const o: BookOptions = { title: req.title, author: req.author, audioFormat: parseAudioFormat(req.audioFormat, 'wav'), chapters: req.chapterSelection };
  if (req.chapters) {
    if (req.text) throw new LectorError('validation_failed', 400, 'send either text or chapters, not both', { details: { field: 'chapters' } });
    return fromBook({ metadata: { title: null, author: null, language: null }, cover: null, chapters: req.chapters }, o);
  }
  const format = req.inputFormat ?? 'text';
  const book = format === 'markdown' ? parseMarkdownBook(req.text) : format === 'html' ? parseHtmlBook(req.text) : parsePlainTextBook(req.text);
  return fromBook(book, o);
}

/** The job's input once its id is known: the EPUB's and the cover's R2 keys in place. */
export function finalizeInput(p: PreparedBook, jobId: string): BookInput {
  const input: BookInput = { ...p.input };
  const cover = p.uploads(jobId).find((u) => u.key.includes('/cover.'));
  if (cover) input.cover = { key: cover.key, mimeType: cover.contentType, bytes: cover.bytes.length };
  if (input.epub) input.epub = { ...input.epub, key: `${jobAudioPrefix(jobId)}source.epub` };
  return input;
}
