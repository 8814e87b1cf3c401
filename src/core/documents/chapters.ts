// Assembling chapters from segments cut at chapter starts: text before the
// first start (front matter) joins the first chapter, empty chapters are
// dropped, and a book with no starts is one chapter.

import type { BookChapter } from './book.ts';

export interface TitledSegment {
  /** The chapter title this segment starts; null for text before the first start. */
  title: string | null;
  text: string;
}

/** Chapters from segments in reading order; `fallbackTitle` names a book without chapter starts. */
export function chaptersFromSegments(segments: readonly TitledSegment[], fallbackTitle: string): BookChapter[] {
  const chapters: BookChapter[] = [];
  let frontMatter = '';
  for (const segment of segments) {
    if (segment.title === null) {
      frontMatter = joinText(frontMatter, segment.text);
      continue;
    }
    if (segment.text === '') continue;
    if (chapters.length === 0 && frontMatter !== '') {
      chapters.push({ title: segment.title, text: joinText(frontMatter, segment.text) });
      frontMatter = '';
    } else chapters.push({ title: segment.title, text: segment.text });
  }
  if (frontMatter !== '') {
    if (chapters.length === 0) chapters.push({ title: fallbackTitle, text: frontMatter });
    else chapters[0] = { title: chapters[0]!.title, text: joinText(frontMatter, chapters[0]!.text) };
  }
  return chapters;
}

/** Two texts as one, a paragraph break between them. */
export function joinText(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  return `${a}\n\n${b}`;
}
