// Opening an EPUB: the small, bounded part of reading a book (ZIP index,
// container, OPF, TOC, cover), done once per invocation; the chapters
// themselves are read one section at a time (section.ts).

import type { BookCover, BookMetadata } from '../book.ts';
import { documentError } from '../errors.ts';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from '../limits.ts';
import { indexZip, type ZipArchive } from '../zip/archive.ts';
import { packagePathOf } from './container.ts';
import { assertNotEncrypted } from './encryption.ts';
import { readFile, readText } from './files.ts';
import { parsePackage, type PackageDocument } from './opf.ts';
import { planChapters, wholeFileSpans, type ChapterPlan, type EpubSection, type PlannedChapter } from './plan.ts';
import { readEpubSection } from './section.ts';
import { navEntries, ncxEntries, type TocEntry } from './toc.ts';
import { isLectorError } from '../../errors.ts';

export interface EpubPackage {
  archive: ZipArchive;
  metadata: BookMetadata;
  cover: BookCover | null;
  /** The book's chapters, 1-based `index`, known before any is read. */
  chapters: PlannedChapter[];
  /** The spine items that are read, in reading order; `readEpubSection(pkg, n)` reads one. */
  sections: EpubSection[];
}

/** What an open EPUB knows besides its bytes: plain data a Durable Object can store between alarms. */
export type EpubPlan = Omit<EpubPackage, 'archive' | 'cover'>;

export interface OpenEpubOptions {
  limits?: DocumentLimits;
  /** Read the cover image's bytes (default true). */
  readCover?: boolean;
}

const CONTENT_TYPES = new Set(['application/xhtml+xml', 'text/html']);
/** Chapters this small (all their files together) are read at open to drop empty ones (a cover page in the TOC). */
const PROBE_CHAPTER_BYTES = 4 * 1024;
const PROBE_TOTAL_BYTES = 64 * 1024;

/** Opens an EPUB 2 or 3; throws a document LectorError (4xx) for anything it cannot read. */
export function openEpub(bytes: Uint8Array, options: OpenEpubOptions = {}): EpubPackage {
  const limits = options.limits ?? DEFAULT_DOCUMENT_LIMITS;
  if (bytes.length > limits.maxEpubBytes) {
    throw documentError('document_too_large', `the EPUB is ${bytes.length} bytes; the limit is ${limits.maxEpubBytes}`, { limit: limits.maxEpubBytes });
  }
  const archive = indexZip(bytes, limits);
  const opfPath = packagePathOf(archive);
  assertNotEncrypted(archive);
  const opf = parsePackage(readText(archive, opfPath, 'the package document'), opfPath);
  const sources = opf.spine
    .filter((s) => s.linear && CONTENT_TYPES.has(s.item.mediaType) && s.item !== opf.nav && s.item.path !== opf.guideToc)
    .map((s) => {
      const entry = archive.entries.get(s.item.path);
      if (!entry) throw documentError('epub_missing_resource', `the spine item "${s.item.path}" is not in the EPUB`, { path: s.item.path });
      return { path: s.item.path, size: entry.size };
    });
  if (sources.length === 0) throw documentError('epub_no_spine', 'the spine has no XHTML content to read');
  const cover = opf.cover && options.readCover !== false && archive.entries.has(opf.cover.path)
    ? { mimeType: opf.cover.mediaType, bytes: readFile(archive, opf.cover.path, 'the cover') }
    : null;
  const plan = withoutEmptyChapters(archive, planChapters(sources, tocOf(archive, opf)));
  const pkg = { archive, metadata: opf.metadata, cover, ...plan };
  if (pkg.chapters.length === 0) throw documentError('document_empty', 'the EPUB has no text to read');
  return pkg;
}

/** The plan of an open package, to store (without the archive and the cover's bytes). */
export function epubPlanOf(pkg: EpubPackage): EpubPlan {
  return { metadata: pkg.metadata, chapters: pkg.chapters, sections: pkg.sections };
}

/**
 * Re-attaches the EPUB's bytes to a stored plan: only the ZIP index is read
 * again (the container, OPF and TOC are not), so a later alarm can go on
 * with readEpubSection cheaply.
 */
export function resumeEpub(bytes: Uint8Array, plan: EpubPlan, limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): EpubPackage {
  return { archive: indexZip(bytes, limits), cover: null, ...plan };
}

function tocOf(archive: ZipArchive, opf: PackageDocument): TocEntry[] {
  if (opf.nav && archive.entries.has(opf.nav.path)) {
    const entries = navEntries(readText(archive, opf.nav.path, 'the navigation document'), opf.nav.path);
    if (entries.length > 0) return entries;
  }
  if (opf.ncx && archive.entries.has(opf.ncx.path)) {
    try {
      return ncxEntries(readText(archive, opf.ncx.path, 'the NCX'), opf.ncx.path);
    } catch (e) {
      // A broken NCX costs the chapter titles, not the book: fall back to one chapter per file.
      if (isLectorError(e) && e.code === 'epub_malformed_xml') return [];
      throw e;
    }
  }
  return [];
}

/** Reads the smallest chapters now and drops those with no text (cover and image pages listed in the TOC). */
function withoutEmptyChapters(archive: ZipArchive, plan: ChapterPlan): ChapterPlan {
  let budget = PROBE_TOTAL_BYTES;
  const empty = new Set<number>();
  for (const [chapterIndex, span] of wholeFileSpans(plan)) {
    const size = span.reduce((sum, i) => sum + plan.sections[i]!.size, 0);
    if (size > PROBE_CHAPTER_BYTES || size > budget) continue;
    budget -= size;
    const probe = { archive, metadata: { title: null, author: null, language: null }, cover: null, ...plan };
    if (span.every((i) => readEpubSection(probe, i).length === 0)) empty.add(chapterIndex);
  }
  if (empty.size === 0) return plan;
  const kept = plan.chapters.filter((c) => !empty.has(c.index));
  const renumber = new Map(kept.map((c, i) => [c.index, i + 1]));
  // A dropped chapter's files carry on the chapter before it (or the next, for the first).
  const owner = (index: number): number => {
    for (let i = index; i >= 1; i--) if (renumber.has(i)) return renumber.get(i)!;
    return 1;
  };
  return {
    chapters: kept.map((c, i) => ({ index: i + 1, title: c.title })),
    sections: plan.sections.map((s) => ({
      ...s,
      starts: s.starts.filter((st) => renumber.has(st.chapterIndex)).map((st) => ({ ...st, chapterIndex: renumber.get(st.chapterIndex)! })),
      carry: owner(s.carry),
    })),
  };
}
