// Where a book job's text comes from: chapters given whole (Markdown, HTML,
// plain text, JSON chapters) are cut into pages at creation; an EPUB stays in
// R2 and one section (spine item) is read per alarm, so no invocation parses
// the whole book.
import type { ChunkAudioFormat } from '../../../core/api/types.ts';
import { openEpub, readEpubSection } from '../../../core/documents/index.ts';
import { LectorError } from '../../../core/errors.ts';
import { paginate } from '../../../core/pages.ts';
import type { BookStore } from './BookStore.ts';
import type { JobStore } from './JobStore.ts';

/** What the orchestrator hands a job that is a book. */
export interface BookInput {
  title: string | null;
  author: string | null;
  audioFormat: ChunkAudioFormat;
  /** False: chunks only, no assembled book (the long-form `/v1/audio/speech` stream). Default true. */
  assemble?: boolean;
  /** A book without chapters: its whole text. */
  text?: string;
  /** Chapters already read and selected (1-based `index` as in the book). */
  chapters?: { index: number; title: string; text: string }[];
  /** An EPUB already checked by `openEpub`, stored in R2: its planned chapters (selected) and section count. */
  epub?: { key: string; sections: number; chapters: { index: number; title: string }[]; selection: number[] | null };
  cover?: { key: string; mimeType: string; bytes: number } | null;
}

export interface ChapterPage {
  text: string;
  continuesParagraph: boolean;
  chapter: number;
}

/** Each chapter cut into paragraph-aligned pages; a page never spans two chapters. */
export function chapterPages(chapters: readonly { index: number; text: string }[]): ChapterPage[] {
  return chapters.flatMap((c) => paginate(c.text).map((p) => ({ text: p.text, continuesParagraph: p.continuesParagraph, chapter: c.index })));
}

/**
 * Reads the next EPUB section into pages of the chapters it holds (selected
 * ones only). False when there is no section left to read.
 */
export async function readNextSection(bucket: R2Bucket, store: JobStore, book: BookStore): Promise<boolean> {
  const next = book.nextSection();
  if (!next) return false;
  const obj = await bucket.get(next.key);
  if (!obj) throw new LectorError('source_missing', 500, `the job's EPUB is gone from R2 (${next.key})`);
  const pkg = openEpub(new Uint8Array(await obj.arrayBuffer()), { readCover: false });
  const selection = book.selection();
  const pieces = readEpubSection(pkg, next.n).filter((p) => !selection || selection.has(p.chapterIndex));
  const pages = chapterPages(pieces.map((p) => ({ index: p.chapterIndex, text: p.text })));
  const numbers = store.addPages(pages);
  numbers.forEach((page, i) => book.mapPage(page, pages[i]!.chapter));
  book.sectionRead(next.n);
  return true;
}
