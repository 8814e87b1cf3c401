import { describe, expect, it } from 'vitest';
import { MARKDOWN_BOOK, corpusChapters } from '../../../test/fixtures/books/index.ts';
import { markdownBookFromPages, markdownPages, parseMarkdownBook, readMarkdownPage } from './index.ts';

const paged = (markdown: string, targetChars: number) => {
  const { pages, footnoteLabels } = markdownPages(markdown, targetChars);
  return { pages, book: markdownBookFromPages(pages.map((p) => readMarkdownPage(p, footnoteLabels))) };
};

describe('Markdown read page by page', () => {
  const novel = `# Pride and Prejudice\n\n${corpusChapters()
    .slice(0, 6)
    .map((c) => `## ${c.title}\n\n${c.paragraphs.join('\n\n')}`)
    .join('\n\n')}\n`;

  it('gives the same book whatever the page size', () => {
    const whole = paged(novel, Number.MAX_SAFE_INTEGER);
    expect(whole.pages).toHaveLength(1);
    const small = paged(novel, 2_000);
    expect(small.pages.length).toBeGreaterThan(10);
    expect(small.pages.join('\n')).toBe(novel);
    expect(small.book).toEqual(whole.book);
    expect(small.book.chapters).toHaveLength(6);
  });

  it('recognizes a footnote reference whose definition is on another page', () => {
    const markdown = `# A\n\nOne.[^n]\n\n${'Filler paragraph.\n\n'.repeat(20)}# B\n\nTwo.\n\n[^n]: The note.\n`;
    const small = paged(markdown, 50);
    expect(small.pages.length).toBeGreaterThan(3);
    expect(small.book.chapters[0]!.text.startsWith('A\n\nOne.\n\n')).toBe(true);
    expect(small.book.chapters.map((c) => c.text).join(' ')).not.toContain('note');
    expect(small.book).toEqual(parseMarkdownBook(markdown));
  });

  it('never cuts inside fenced code', () => {
    const code = '```\nline one\n\nnot a cut point\n\nstill code\n```';
    const { pages } = markdownPages(`Intro.\n\n${code}\n\nAfter.\n`, 1);
    expect(pages.some((p) => p.includes(code))).toBe(true);
    expect(paged(`Intro.\n\n${code}\n\nAfter.\n`, 1).book.chapters[0]!.text).toBe('Intro.\n\nAfter.');
  });

  it('reads the sample book the same paged and whole', () => {
    expect(paged(MARKDOWN_BOOK, 40).book).toEqual(paged(MARKDOWN_BOOK, Number.MAX_SAFE_INTEGER).book);
  });
});
