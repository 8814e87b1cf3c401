// Book mode of `lector speak`: which documents are uploaded as books and in
// which audio format (from the file names), waiting for the assembled book,
// and writing one file per chapter.
import { mkdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { JobAudioFormat, JobChapter, JobState } from '../core/api/types.ts';
import type { LectorClient } from './client.ts';
import { CliError, EXIT, usageError } from './errors.ts';
import { saveJobAudio } from './output.ts';

const DOCUMENT_TYPES: Record<string, string> = {
  '.epub': 'application/epub+zip',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xhtml': 'application/xhtml+xml',
  '.txt': 'text/plain',
};

/** The Content-Type a file is uploaded with, or null for a file read as plain JSON text. */
export function documentTypeOf(path: string): string | null {
  return DOCUMENT_TYPES[extname(path).toLowerCase()] ?? null;
}

/** The audio format an output file name asks for (`-` and `.wav`: wav). */
export function audioFormatOf(path: string): JobAudioFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.mp3') return 'mp3';
  if (ext === '.opus' || ext === '.ogg' || ext === '.oga') return 'opus';
  if (ext === '.wav' || ext === '' || path === '-') return 'wav';
  throw usageError(`cannot write ${ext} files: use .mp3, .opus or .wav (M4B is not made; see docs/audiobook.md)`);
}

/** Waits for the job's book to be assembled after the job ended; returns the final state. */
export async function waitForBook(client: LectorClient, jobId: string, signal: AbortSignal, timeoutMs = 600_000): Promise<JobState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await client.jobState(jobId, signal);
    if (s.book?.status === 'done') return s;
    if (s.status === 'failed' || s.status === 'cancelled' || s.book?.status === 'failed') {
      throw new CliError(EXIT.rejected, `job ${jobId} ${s.status}: ${s.errorMessage ?? 'no book was made'}`);
    }
    if (Date.now() > deadline) throw new CliError(EXIT.unreachable, `the book of job ${jobId} was not assembled within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** "03 - The Storm.mp3": numbered in play order, titled, safe on every file system. */
export function chapterFileName(position: number, count: number, chapter: JobChapter, format: JobAudioFormat): string {
  const width = Math.max(2, String(count).length);
  const title = chapter.title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80) || `Chapter ${chapter.index}`;
  return `${String(position).padStart(width, '0')} - ${title}.${format}`;
}

/** Writes each chapter's assembled file into `dir`; returns the paths. */
export async function saveChapters(client: LectorClient, state: JobState, dir: string, signal: AbortSignal): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  const format = state.audioFormat as JobAudioFormat;
  for (const [i, c] of state.chapters.entries()) {
    const path = join(dir, chapterFileName(i + 1, state.chapters.length, c, format));
    await saveJobAudio(client, state.jobId, path, { signal, path: `/api/tts/${state.jobId}/chapters/${c.index}/audio`, format });
    paths.push(path);
  }
  return paths;
}

/** Progress per chapter: the chapters whose last chunk is now done, once each. */
export class ChapterProgress {
  private readonly chapters: JobChapter[];
  private readonly done = new Set<number>();
  private readonly doneChunks = new Set<number>();

  constructor(chapters: JobChapter[]) {
    this.chapters = chapters;
  }

  /** Records a finished chunk; returns the chapters it completed. */
  chunkDone(index: number): JobChapter[] {
    this.doneChunks.add(index);
    const finished: JobChapter[] = [];
    for (const c of this.chapters) {
      if (this.done.has(c.index)) continue;
      let all = true;
      for (let k = c.firstChunk; k < c.firstChunk + c.chunkCount && all; k++) all = this.doneChunks.has(k);
      if (all) {
        this.done.add(c.index);
        finished.push(c);
      }
    }
    return finished;
  }
}
