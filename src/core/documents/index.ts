// Public API of documents: a request body (EPUB, Markdown, HTML, plain text)
// read into a Book of chapters with metadata; EPUBs also section by section.

import type { Book } from './book.ts';
import { decodeDocumentText, documentTypeOf } from './detect.ts';
import { documentError } from './errors.ts';
import { readEpub } from './epub/read.ts';
import { parseHtmlBook } from './html/book.ts';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from './limits.ts';
import { parseMarkdownBook } from './markdown/book.ts';
import { parsePlainTextBook } from './plain/book.ts';

export type { Book, BookChapter, BookCover, BookMetadata, DocumentFormat } from './book.ts';
export { decodeDocumentText, documentTypeOf, type DocumentType } from './detect.ts';
export { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from './limits.ts';
export { epubPlanOf, openEpub, resumeEpub, type EpubPackage, type EpubPlan, type OpenEpubOptions } from './epub/open.ts';
export { readEpubSection, type SectionText } from './epub/section.ts';
export { readEpub } from './epub/read.ts';
export type { PlannedChapter, EpubSection, ChapterStart } from './epub/plan.ts';
export { parseHtmlBook } from './html/book.ts';
export { markdownBookFromPages, parseMarkdownBook, readMarkdownPage, type MarkdownBlock, type MarkdownPage } from './markdown/book.ts';
export { markdownPages, type MarkdownPages } from './markdown/pages.ts';
export { parsePlainTextBook } from './plain/book.ts';
export { selectChapters } from './select.ts';

/**
 * Reads a whole document given its Content-Type. Throws a LectorError (4xx)
 * for an unsupported type, a document over the size limits, invalid text, or
 * a broken or protected EPUB. For big EPUBs on the edge, use openEpub and
 * readEpubSection instead, one section per invocation.
 */
export function parseDocument(bytes: Uint8Array, contentType: string, limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): Book {
  const { format, charset } = documentTypeOf(contentType);
  if (format === 'epub') return readEpub(bytes, { limits });
  if (bytes.length > limits.maxTextDocumentBytes) {
    throw documentError('document_too_large', `the document is ${bytes.length} bytes; the limit is ${limits.maxTextDocumentBytes}`, {
      limit: limits.maxTextDocumentBytes,
    });
  }
  const text = decodeDocumentText(bytes, charset);
  if (format === 'markdown') return parseMarkdownBook(text);
  if (format === 'html') return parseHtmlBook(text);
  return parsePlainTextBook(text);
}
