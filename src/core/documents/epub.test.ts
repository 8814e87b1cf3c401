import { describe, expect, it } from 'vitest';
import { EPUB2_EXPECTED, EPUB2_SPEC, EPUB3_EXPECTED, EPUB3_SPEC, COVER_PNG, buildEpub, corpusChapters, epub2Book, epub3Book, prideAndPrejudiceEpub } from '../../../test/fixtures/books/index.ts';
import { normalizeText } from '../text/index.ts';
import { epubPlanOf, openEpub, parseDocument, readEpub, readEpubSection, resumeEpub } from './index.ts';

describe('EPUB 3 with a nav document', () => {
  it('reads chapters in spine order with the titles of the table of contents', () => {
    const book = readEpub(epub3Book());
    expect(book.chapters.map((c) => c.title)).toEqual(EPUB3_EXPECTED.chapters.map((c) => c.title));
    expect(book.chapters).toEqual(EPUB3_EXPECTED.chapters);
  });

  it('takes title, author, language and the cover image from the package', () => {
    const book = readEpub(epub3Book());
    expect(book.metadata).toEqual(EPUB3_EXPECTED.metadata);
    expect(book.cover?.mimeType).toBe('image/png');
    expect(book.cover?.bytes).toEqual(COVER_PNG);
  });

  it('does not read note markers, note bodies, page numbers, images, scripts or the nav', () => {
    const text = readEpub(epub3Book()).chapters.map((c) => c.text).join('\n\n');
    for (const unwanted of ['1', '2', '*', 'seven', 'eight', 'Dusk falls', 'Paraffin', 'script text', 'Contents', 'Cover', 'A lighthouse in a storm', 'p{}']) {
      expect(text).not.toContain(unwanted);
    }
  });

  it('reads the same text section by section, each piece tagged with its chapter', () => {
    const pkg = openEpub(epub3Book());
    expect(pkg.chapters).toEqual(EPUB3_EXPECTED.chapters.map((c, i) => ({ index: i + 1, title: c.title })));
    const texts = pkg.chapters.map(() => [] as string[]);
    const seen: number[][] = [];
    for (let n = 0; n < pkg.sections.length; n++) {
      const pieces = readEpubSection(pkg, n);
      seen.push(pieces.map((p) => p.chapterIndex));
      for (const piece of pieces) {
        expect(piece.title).toBe(pkg.chapters[piece.chapterIndex - 1]!.title);
        texts[piece.chapterIndex - 1]!.push(piece.text);
      }
    }
    // cover (empty), ch1, ch2 (two chapters in one file), interlude (continues chapter 3), ch4; the nav is not a section.
    expect(seen).toEqual([[], [1], [2, 3], [3], [4]]);
    expect(texts.map((t) => t.join('\n\n'))).toEqual(EPUB3_EXPECTED.chapters.map((c) => c.text));
  });

  it('is what parseDocument gives for application/epub+zip', () => {
    expect(parseDocument(epub3Book(), 'application/epub+zip')).toEqual(readEpub(epub3Book()));
  });
});

describe('EPUB 2 with an NCX only', () => {
  it('reads chapters, nested NCX entries included, with NCX titles; front matter joins the first chapter', () => {
    const book = readEpub(epub2Book());
    expect(book.chapters).toEqual(EPUB2_EXPECTED.chapters);
    expect(book.metadata).toEqual(EPUB2_EXPECTED.metadata);
  });

  it('finds the cover through <meta name="cover">', () => {
    expect(readEpub(epub2Book()).cover).toEqual({ mimeType: 'image/png', bytes: COVER_PNG });
  });

  it('skips the HTML contents page, Gutenberg page numbers and notes, and non-linear items', () => {
    const text = readEpub(epub2Book()).chapters.map((c) => c.text).join('\n\n');
    for (const unwanted of ['Contents', 'Pg 3', '[1]', 'the Bell', 'Publisher notes']) expect(text).not.toContain(unwanted);
  });

  it('falls back to one chapter per file when the TOC points nowhere', () => {
    const book = readEpub(buildEpub({ ...EPUB2_SPEC, toc: [{ title: 'Gone', href: 'missing.xhtml' }] }));
    expect(book.chapters.map((c) => c.title)).toEqual(['Chapter 1', 'Chapter 2', 'Chapter 3', 'Chapter 4']);
  });
});

describe('nav and NCX in one book', () => {
  it('prefers the nav document', () => {
    const book = readEpub(buildEpub({ ...EPUB3_SPEC, withNcx: true }));
    expect(book.chapters.map((c) => c.title)).toEqual(EPUB3_EXPECTED.chapters.map((c) => c.title));
  });
});

describe('the corpus novel as an EPUB 3', () => {
  const bytes = prideAndPrejudiceEpub();
  const corpus = corpusChapters();

  it('has 61 chapters with their titles, title and author', () => {
    const pkg = openEpub(bytes);
    expect(pkg.metadata).toEqual({ title: 'Pride and Prejudice', author: 'Jane Austen', language: 'en' });
    expect(pkg.chapters).toHaveLength(61);
    expect(pkg.chapters.map((c) => c.title)).toEqual(Array.from({ length: 61 }, (_, i) => `Chapter ${i + 1}`));
    expect(pkg.sections).toHaveLength(62);
  });

  it('reads every chapter as the novel has it (the title page opens chapter 1)', () => {
    const book = readEpub(bytes);
    expect(book.chapters).toHaveLength(61);
    book.chapters.forEach((chapter, i) => {
      const expected = normalizeText([corpus[i]!.title, ...corpus[i]!.paragraphs].join('\n\n'));
      expect(chapter.text).toBe(i === 0 ? `Pride and Prejudice\n\nBy Jane Austen\n\n${expected}` : expected);
    });
  });
});

describe('a stored plan', () => {
  it('survives JSON and reads the same sections after resumeEpub', () => {
    const bytes = epub3Book();
    const pkg = openEpub(bytes);
    const plan = JSON.parse(JSON.stringify(epubPlanOf(pkg)));
    const resumed = resumeEpub(bytes, plan);
    expect(resumed.chapters).toEqual(pkg.chapters);
    for (let n = 0; n < pkg.sections.length; n++) expect(readEpubSection(resumed, n)).toEqual(readEpubSection(pkg, n));
  });
});
