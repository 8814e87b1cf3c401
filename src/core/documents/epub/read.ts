// A whole EPUB as a Book in one call: for tests, the CLI and small books.
// The edge reads big books section by section instead (open.ts, section.ts).

import type { Book, BookChapter } from '../book.ts';
import { joinText } from '../chapters.ts';
import { documentError } from '../errors.ts';
import { openEpub, type OpenEpubOptions } from './open.ts';
import { readEpubSection } from './section.ts';

export function readEpub(bytes: Uint8Array, options: OpenEpubOptions = {}): Book {
  const pkg = openEpub(bytes, options);
  const texts = pkg.chapters.map(() => '');
  for (let n = 0; n < pkg.sections.length; n++) {
    for (const piece of readEpubSection(pkg, n)) texts[piece.chapterIndex - 1] = joinText(texts[piece.chapterIndex - 1]!, piece.text);
  }
  const chapters: BookChapter[] = pkg.chapters.flatMap((c, i) => (texts[i] === '' ? [] : [{ title: c.title, text: texts[i]! }]));
  if (chapters.length === 0) throw documentError('document_empty', 'the EPUB has no text to read');
  return { metadata: pkg.metadata, cover: pkg.cover, chapters };
}
