// What a job hands the audiobook assembler: the format, the tags, the chapters
// and, chunk by chunk, where each finished chunk's audio sits in R2. Also the
// R2 keys of the assembled book and chapter files.
import type { BookAudioFormat } from '../../../core/audio/book/metadata.ts';
import { BOOK_EXTENSIONS } from '../../../core/audio/book/metadata.ts';
import type { PauseOptions } from '../../../core/audio/timeline.ts';
import { jobAudioPrefix } from '../../../core/ids.ts';

export interface AssemblyChunk {
  /** R2 key of the chunk's encoded audio. */
  key: string;
  /** Starts a paragraph: the longer pause goes before it. */
  paragraphStart: boolean;
  /** `index` of the chapter it belongs to (chapters are consecutive runs of chunks). */
  chapter: number;
  /** Explicit silence before it (SSML `break`) in place of the designed pause. */
  pauseBeforeMs?: number;
}

export interface AssemblyChapter {
  /** The chapter's index as the job lists it (also its file's key). */
  index: number;
  title: string;
}

export interface AssemblyPlan {
  jobId: string;
  format: BookAudioFormat;
  title?: string;
  author?: string;
  /** A cover image already in R2; `bytes` sizes the header slot before it is read. */
  cover?: { key: string; mimeType: string; bytes: number };
  /** Chapters in play order; one file each. Empty: the book file only. */
  chapters: AssemblyChapter[];
  totalChunks: number;
  pauses?: PauseOptions;
}

/** The job's chunks in index order, `limit` of them from position `from`. */
export interface ChunkSource {
  chunks(from: number, limit: number): AssemblyChunk[] | Promise<AssemblyChunk[]>;
}

/** Largest cover the header slot takes (the slot must fit in the first part). */
export const MAX_COVER_BYTES = 2 * 1024 * 1024;

export function bookKey(jobId: string, format: BookAudioFormat): string {
  return `${jobAudioPrefix(jobId)}book.${BOOK_EXTENSIONS[format]}`;
}

export function chapterKey(jobId: string, format: BookAudioFormat, index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new TypeError(`invalid chapter index: ${index}`);
  return `${jobAudioPrefix(jobId)}chapters/${index}.${BOOK_EXTENSIONS[format]}`;
}
