// The chapter plan of an EPUB, known before any chapter is read: which spine
// items are read (sections), which TOC entry starts a chapter in which
// section, and which chapter a section's leading text belongs to.

import type { TocEntry } from './toc.ts';

export interface SectionSource {
  path: string;
  /** Declared uncompressed size in bytes. */
  size: number;
}

export interface ChapterStart {
  /** 1-based chapter number (the job's `chapters[].index`). */
  chapterIndex: number;
  /** The element id the chapter starts at, or null for the top of the file. */
  fragment: string | null;
}

export interface EpubSection extends SectionSource {
  /** Chapters starting in this file, in order. */
  starts: ChapterStart[];
  /** The chapter that text before the first start belongs to (the previous chapter; chapter 1 for front matter). */
  carry: number;
}

export interface PlannedChapter {
  /** 1-based. */
  index: number;
  title: string;
}

export interface ChapterPlan {
  chapters: PlannedChapter[];
  sections: EpubSection[];
}

/**
 * Chapters from the TOC entries that point into the sections, ordered by
 * reading order (spine first, TOC order within a file). Entries to other files
 * are ignored; two entries to the same place are one chapter. Without usable
 * entries, every section is a chapter ("Chapter n").
 */
export function planChapters(sources: readonly SectionSource[], toc: readonly TocEntry[]): ChapterPlan {
  const sectionOf = new Map(sources.map((s, i) => [s.path, i]));
  const seen = new Set<string>();
  const entries: { section: number; title: string; fragment: string | null; order: number }[] = [];
  toc.forEach((entry, order) => {
    const section = sectionOf.get(entry.path);
    const key = `${entry.path}#${entry.fragment ?? ''}`;
    if (section === undefined || seen.has(key)) return;
    seen.add(key);
    entries.push({ section, title: entry.title, fragment: entry.fragment, order });
  });
  // Reading order; within a file the file's top first, then TOC order.
  entries.sort((a, b) => a.section - b.section || Number(a.fragment !== null) - Number(b.fragment !== null) || a.order - b.order);
  const starts = entries.length > 0 ? entries : sources.map((_, section) => ({ section, title: '', fragment: null, order: section }));
  const chapters = starts.map((s, i) => ({ index: i + 1, title: s.title || `Chapter ${i + 1}` }));
  let current = 1;
  const sections = sources.map((source, section) => {
    const here = starts.flatMap((s, i) => (s.section === section ? [{ chapterIndex: i + 1, fragment: s.fragment }] : []));
    const carry = current;
    if (here.length > 0) current = here[here.length - 1]!.chapterIndex;
    return { ...source, starts: here, carry };
  });
  return { chapters, sections };
}

/** The sections each chapter spans when it is whole files (no fragment starts), for probing emptiness. */
export function wholeFileSpans(plan: ChapterPlan): Map<number, number[]> {
  const spans = new Map<number, number[]>();
  const split = new Set<number>();
  plan.sections.forEach((section, i) => {
    if (section.starts.some((s) => s.fragment !== null) || section.starts.length > 1) {
      for (const s of section.starts) split.add(s.chapterIndex);
      split.add(section.carry);
    }
    const owner = section.starts[0]?.chapterIndex ?? section.carry;
    spans.set(owner, [...(spans.get(owner) ?? []), i]);
  });
  for (const index of split) spans.delete(index);
  return spans;
}
