import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORPUS_PATH, HTML_BOOK, HTML_EXPECTED, MARKDOWN_BOOK, MARKDOWN_EXPECTED, corpusChapters } from '../../../test/fixtures/books/index.ts';
import { normalizeText } from '../text/index.ts';
import { parseDocument, parseHtmlBook, parseMarkdownBook, parsePlainTextBook } from './index.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('Markdown', () => {
  it('cuts chapters at the top-level headings under a lone title heading, with front-matter metadata', () => {
    const book = parseMarkdownBook(MARKDOWN_BOOK);
    expect(book.metadata).toEqual(MARKDOWN_EXPECTED.metadata);
    expect(book.chapters).toEqual(MARKDOWN_EXPECTED.chapters);
    expect(book.cover).toBeNull();
  });

  it('does not read footnote references or definitions, images or code', () => {
    const text = parseMarkdownBook(MARKDOWN_BOOK).chapters.map((c) => c.text).join('\n\n');
    for (const unwanted of ['[^1]', '1', 'six', 'photo', 'code is not read', 'title:']) expect(text).not.toContain(unwanted);
  });

  it('reads a GFM table row by row, cells joined with commas', () => {
    expect(parseMarkdownBook('| Name | Age |\n| --- | --- |\n| Ann | 30 |\n').chapters[0]!.text).toBe('Name, Age\n\nAnn, 30');
  });

  it('uses the highest heading level present', () => {
    const book = parseMarkdownBook('## One\n\nA.\n\n### Detail\n\nB.\n\n## Two\n\nC.');
    expect(book.chapters).toEqual([
      { title: 'One', text: 'One\n\nA.\n\nDetail\n\nB.' },
      { title: 'Two', text: 'Two\n\nC.' },
    ]);
  });

  it('is one chapter without headings, named by the title', () => {
    expect(parseMarkdownBook('Just *one* paragraph.').chapters).toEqual([{ title: 'Text', text: 'Just one paragraph.' }]);
  });

  it('is what parseDocument gives for text/markdown', () => {
    expect(parseDocument(utf8(MARKDOWN_BOOK), 'text/markdown; charset=utf-8')).toEqual(parseMarkdownBook(MARKDOWN_BOOK));
  });
});

describe('HTML', () => {
  it('cuts chapters at the top-level headings, metadata from the head', () => {
    const book = parseHtmlBook(HTML_BOOK);
    expect(book.metadata).toEqual(HTML_EXPECTED.metadata);
    expect(book.chapters).toEqual(HTML_EXPECTED.chapters);
  });

  it('does not read the TOC, scripts, styles, note markers, notes, page numbers or alt text', () => {
    const text = parseHtmlBook(HTML_BOOK).chapters.map((c) => c.text).join('\n\n');
    for (const unwanted of ['not read', 'color', '1', 'printemps', '12', 'une image', '↩']) expect(text).not.toContain(unwanted);
    expect(text.match(/Premier/g)).toHaveLength(1);
  });

  it('treats a lone <h1> above several <h2> as the book title', () => {
    const book = parseHtmlBook('<h1>Book</h1><p>Intro.</p><h2>A</h2><p>a.</p><h2>B</h2><p>b.</p>');
    expect(book.metadata.title).toBe('Book');
    expect(book.chapters.map((c) => c.title)).toEqual(['A', 'B']);
    expect(book.chapters[0]!.text).toBe('Book\n\nIntro.\n\nA\n\na.');
  });

  it('is what parseDocument gives for text/html', () => {
    expect(parseDocument(utf8(HTML_BOOK), 'text/html')).toEqual(parseHtmlBook(HTML_BOOK));
  });
});

describe('plain text', () => {
  it('finds the 61 chapters of the corpus novel, not its contents list', () => {
    const book = parsePlainTextBook(readFileSync(CORPUS_PATH, 'utf8'));
    expect(book.chapters.map((c) => c.title)).toEqual(Array.from({ length: 61 }, (_, i) => `Chapter ${i + 1}`));
    const corpus = corpusChapters();
    // Chapters 2-61 are exactly the novel's; chapter 1 opens with the front matter, without the contents list.
    book.chapters.slice(1).forEach((chapter, i) => {
      expect(chapter.text).toBe(normalizeText([corpus[i + 1]!.title, ...corpus[i + 1]!.paragraphs].join('\n\n')));
    });
    expect(book.chapters[0]!.text.startsWith('Produced by Anonymous Volunteers')).toBe(true);
    expect(book.chapters[0]!.text).not.toContain('CONTENTS');
    expect(book.chapters[0]!.text).not.toContain('Chapter 2');
    expect(book.chapters[0]!.text).toContain('By Jane Austen\n\nChapter 1\n\nIt is a truth universally acknowledged');
  });

  it('reads "CHAPTER XII." style headings, and a part heading opens its first chapter', () => {
    const text = ['PART ONE', 'CHAPTER I.', 'It began.', 'CHAPTER II.', 'It went on.', 'PART TWO', 'CHAPTER III.', 'It ended.'].join('\n\n');
    const book = parsePlainTextBook(text);
    expect(book.chapters).toEqual([
      { title: 'CHAPTER I', text: 'PART ONE\n\nCHAPTER I.\n\nIt began.' },
      { title: 'CHAPTER II', text: 'CHAPTER II.\n\nIt went on.' },
      { title: 'CHAPTER III', text: 'PART TWO\n\nCHAPTER III.\n\nIt ended.' },
    ]);
  });

  it('takes a short second line as the chapter title', () => {
    const book = parsePlainTextBook('Chapter 1\nThe Boy\n\nHe lived.\n\nChapter 2\nThe Glass\n\nIt vanished.');
    expect(book.chapters.map((c) => c.title)).toEqual(['Chapter 1: The Boy', 'Chapter 2: The Glass']);
  });

  it('is one chapter when headings are not clear', () => {
    for (const text of ['Chapter 1\n\nOnly one heading here.', 'The chapter 1 of my life was dull.\n\nThen chapter 2 began.', 'Part of the problem.\n\nBook I read was long.']) {
      expect(parsePlainTextBook(text).chapters).toHaveLength(1);
    }
  });

  it('keeps a heading-like line inside a paragraph as text', () => {
    const book = parsePlainTextBook('Chapter 1\n\nText.\n\nChapter 2\nwas what he wrote on the first page, and then he stopped.\n\nMore.');
    expect(book.chapters).toHaveLength(1);
  });

  it('is what parseDocument gives for text/plain', () => {
    expect(parseDocument(utf8('Hello.\n\nWorld.'), 'text/plain')).toEqual({
      metadata: { title: null, author: null, language: null },
      cover: null,
      chapters: [{ title: 'Text', text: 'Hello.\n\nWorld.' }],
    });
  });
});
