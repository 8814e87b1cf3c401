// The document readers inside workerd (the real Workers runtime): fflate,
// htmlparser2 and micromark run there, and an EPUB is read section by section
// as the job's Durable Object will read it, one section per alarm.
import { describe, expect, it } from 'vitest';
import { BAD_DOCUMENTS } from '../../../test/fixtures/books/bad.ts';
import {
  EPUB2_EXPECTED,
  EPUB3_EXPECTED,
  HTML_BOOK,
  HTML_EXPECTED,
  MARKDOWN_BOOK,
  MARKDOWN_EXPECTED,
  epub2Book,
  epub3Book,
} from '../../../test/fixtures/books/samples.ts';
import { isLectorError } from '../../core/errors.ts';
import { openEpub, parseDocument, readEpubSection } from '../../core/documents/index.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('documents in workerd', () => {
  it('reads the EPUB 3 sample section by section', () => {
    const pkg = openEpub(epub3Book());
    const texts = pkg.chapters.map(() => [] as string[]);
    for (let n = 0; n < pkg.sections.length; n++) {
      for (const piece of readEpubSection(pkg, n)) texts[piece.chapterIndex - 1]!.push(piece.text);
    }
    expect(pkg.metadata).toEqual(EPUB3_EXPECTED.metadata);
    expect(pkg.chapters.map((c) => c.title)).toEqual(EPUB3_EXPECTED.chapters.map((c) => c.title));
    expect(texts.map((t) => t.join('\n\n'))).toEqual(EPUB3_EXPECTED.chapters.map((c) => c.text));
    expect(pkg.cover?.mimeType).toBe('image/png');
  });

  it('reads the EPUB 2, Markdown and HTML samples', () => {
    expect(parseDocument(epub2Book(), 'application/epub+zip').chapters).toEqual(EPUB2_EXPECTED.chapters);
    expect(parseDocument(utf8(MARKDOWN_BOOK), 'text/markdown')).toMatchObject(MARKDOWN_EXPECTED);
    expect(parseDocument(utf8(HTML_BOOK), 'text/html')).toMatchObject(HTML_EXPECTED);
  });

  it('refuses every bad document with its code', () => {
    for (const doc of BAD_DOCUMENTS) {
      let error: unknown;
      try {
        parseDocument(doc.body(), doc.contentType);
      } catch (e) {
        error = e;
      }
      expect(isLectorError(error) ? [doc.name, error.code, error.status] : [doc.name, error]).toEqual([doc.name, doc.code, doc.status]);
    }
  });
});
