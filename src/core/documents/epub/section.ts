// Reading one spine item (section) of an open EPUB: its readable text, cut
// where TOC entries start chapters. One section per call keeps the work of
// one Durable Object alarm bounded by the size of one XHTML file.

import type { Element } from 'domhandler';
import { segmentsOf } from '../html/paragraphs.ts';
import { noteElements } from '../html/skip.ts';
import { parseHtml } from '../xml/tree.ts';
import { readText } from './files.ts';
import type { EpubPackage } from './open.ts';

export interface SectionText {
  /** 1-based chapter number this text belongs to (its `chapters[].index`). */
  chapterIndex: number;
  title: string;
  /** Normalized plain text, never empty. */
  text: string;
}

/**
 * The text of section `n` (0-based, `0 <= n < pkg.sections.length`) as pieces
 * in reading order. Text before the section's first chapter start continues
 * the previous chapter. Consecutive pieces never share a chapter.
 */
export function readEpubSection(pkg: EpubPackage, n: number): SectionText[] {
  const section = pkg.sections[n];
  if (!section) throw new RangeError(`section ${n} is out of range (0-${pkg.sections.length - 1})`);
  const doc = parseHtml(readText(pkg.archive, section.path, 'the spine item'));
  const byFragment = new Map(section.starts.flatMap((s) => (s.fragment === null ? [] : [[s.fragment, s.chapterIndex] as const])));
  const top = section.starts.find((s) => s.fragment === null)?.chapterIndex ?? section.carry;
  const boundary = (el: Element): number | undefined => {
    const id = el.attribs['id'];
    return id === undefined ? undefined : byFragment.get(id);
  };
  const pieces: SectionText[] = [];
  for (const segment of segmentsOf<number>(doc, { dropped: noteElements(doc), boundary })) {
    if (segment.text === '') continue;
    const chapterIndex = segment.start ?? top;
    const last = pieces[pieces.length - 1];
    if (last && last.chapterIndex === chapterIndex) last.text = `${last.text}\n\n${segment.text}`;
    else pieces.push({ chapterIndex, title: pkg.chapters[chapterIndex - 1]!.title, text: segment.text });
  }
  return pieces;
}
