// Plain text as a book. Chapters start at chapter-heading paragraphs when
// they are clear: at least two headings of the same keyword, each followed
// by text. Heading runs with no text between them are a table of contents
// and are not read; a "Part Two" heading just before a chapter heading opens
// that chapter. Otherwise the text is one chapter.

import type { Book } from '../book.ts';
import { chaptersFromSegments, type TitledSegment } from '../chapters.ts';
import { documentError } from '../errors.ts';
import { normalizeText } from '../../text/index.ts';
import { headingOf, isContentsHeading, type HeadingKeyword, type HeadingLine } from './headings.ts';

const MIN_CHAPTERS = 2;

/** Reads plain text (already decoded) into a book; `document_empty` when it has no text. */
export function parsePlainTextBook(text: string, title: string | null = null): Book {
  const paragraphs = paragraphsOf(text);
  const headings = paragraphs.map(headingOf);
  const isReal = (i: number): boolean => headings[i] !== null && i + 1 < paragraphs.length && headings[i + 1] === null;
  const keyword = chapterKeyword(headings, isReal);
  const metadata = { title, author: null, language: null };
  let segments: TitledSegment[];
  if (keyword === null) {
    segments = [{ title: null, text: normalizeText(paragraphs.map((p) => p.join('\n')).join('\n\n')) }];
  } else {
    segments = segmentsAt(paragraphs, headings, keyword, isReal);
  }
  const chapters = chaptersFromSegments(segments, title ?? 'Text');
  if (chapters.length === 0) throw documentError('document_empty', 'the text document is empty');
  return { metadata, cover: null, chapters };
}

/** Paragraphs as lists of trimmed lines, split at blank lines. */
function paragraphsOf(text: string): string[][] {
  const paragraphs: string[][] = [];
  let current: string[] = [];
  for (const raw of text.split(/\r\n?|\n/)) {
    const line = raw.trim();
    if (line === '') {
      if (current.length > 0) paragraphs.push(current);
      current = [];
    } else current.push(line);
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs;
}

/** The keyword with the most headings followed by text, if it has enough of them. */
function chapterKeyword(headings: (HeadingLine | null)[], isReal: (i: number) => boolean): HeadingKeyword | null {
  const counts = new Map<HeadingKeyword, number>();
  headings.forEach((h, i) => {
    if (h && isReal(i)) counts.set(h.keyword, (counts.get(h.keyword) ?? 0) + 1);
  });
  let best: HeadingKeyword | null = null;
  for (const [keyword, count] of counts) {
    const bestCount = best === null ? 0 : counts.get(best)!;
    if (count > bestCount || (count === bestCount && keyword === 'chapter')) best = keyword;
  }
  return best !== null && counts.get(best)! >= MIN_CHAPTERS ? best : null;
}

function segmentsAt(
  paragraphs: string[][],
  headings: (HeadingLine | null)[],
  keyword: HeadingKeyword,
  isReal: (i: number) => boolean,
): TitledSegment[] {
  // Contents entries: headings of the chapter keyword with no text after them, and the "Contents" line before them.
  const dropped = new Set<number>();
  headings.forEach((h, i) => {
    if (h?.keyword === keyword && !isReal(i)) {
      dropped.add(i);
      if (i > 0 && !dropped.has(i - 1) && isContentsHeading(paragraphs[i - 1]!)) dropped.add(i - 1);
    }
  });
  // Each chapter opens at its heading, or at the part/book headings right above it.
  const opens = new Map<number, string>();
  headings.forEach((h, i) => {
    if (h?.keyword !== keyword || !isReal(i)) return;
    let open = i;
    while (open > 0 && headings[open - 1] !== null && headings[open - 1]!.keyword !== keyword) open--;
    opens.set(open, h.title);
  });
  const segments: TitledSegment[] = [];
  let current: { title: string | null; paragraphs: string[] } = { title: null, paragraphs: [] };
  const close = (): void => {
    segments.push({ title: current.title, text: normalizeText(current.paragraphs.join('\n\n')) });
  };
  paragraphs.forEach((lines, i) => {
    const title = opens.get(i);
    if (title !== undefined) {
      close();
      current = { title, paragraphs: [] };
    }
    if (!dropped.has(i)) current.paragraphs.push(lines.join('\n'));
  });
  close();
  return segments;
}
