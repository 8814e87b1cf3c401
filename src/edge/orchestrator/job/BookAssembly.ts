// Drives a book job's AudiobookAssembler from the job's alarms: once the
// chunks are planned it records the assembly plan, then each alarm takes one
// bounded step over the finished prefix of chunks, so the book and chapter
// files grow in R2 while the job runs and are complete soon after its end.
import type { JobAudioFormat, JobBook } from '../../../core/api/types.ts';
import { AudiobookAssembler, type AssemblyStatus } from '../assembly/AudiobookAssembler.ts';
import type { AssemblyChunk, AssemblyPlan } from '../assembly/plan.ts';
import type { BookStore } from './BookStore.ts';
import type { JobStore } from './JobStore.ts';

/** R2 calls one alarm's assembly step may make (the free plan allows 1,000 per invocation). */
export const ASSEMBLY_STEP_CALLS = 50;

export class BookAssembly {
  private readonly sql: SqlStorage;
  private readonly bucket: R2Bucket;
  private readonly store: JobStore;
  private readonly book: BookStore;
  private cached: AudiobookAssembler | undefined;

  constructor(sql: SqlStorage, bucket: R2Bucket, store: JobStore, book: BookStore) {
    this.sql = sql;
    this.bucket = bucket;
    this.store = store;
    this.book = book;
  }

  /** The job's assembler, once the job is a book whose chunks are all planned; else null. */
  private assembler(): AudiobookAssembler | null {
    if (this.cached) return this.cached;
    const job = this.store.job();
    const meta = this.book.meta();
    if (!job || !meta || meta.assemble === 0 || meta.audio_format === 'aac' || job.total === 0 || this.store.hasPageToSplit() || this.book.nextSection()) return null;
    const a = new AudiobookAssembler(this.sql, this.bucket, { chunks: (from, limit) => this.finishedPrefix(from, limit) });
    if (!a.initialized) {
      const plan: AssemblyPlan = {
        jobId: job.job_id,
        format: meta.audio_format as JobAudioFormat,
        chapters: this.book.chapters().map((c) => ({ index: c.index, title: c.title })),
        totalChunks: job.total,
      };
      if (meta.title) plan.title = meta.title;
      if (meta.author) plan.author = meta.author;
      if (meta.cover_key && meta.cover_mime && meta.cover_bytes) plan.cover = { key: meta.cover_key, mimeType: meta.cover_mime, bytes: meta.cover_bytes };
      a.init(plan);
    }
    this.cached = a;
    return a;
  }

  /** Finished chunks from `from` on, stopping at the first one not finished. */
  private finishedPrefix(from: number, limit: number): AssemblyChunk[] {
    const out: AssemblyChunk[] = [];
    for (const r of this.store.completedFrom(from, limit)) {
      if (r.idx !== from + out.length || !r.r2_key) break;
      const c: AssemblyChunk = { key: r.r2_key, paragraphStart: r.paragraph_start === 1, chapter: this.book.chapterOfChunk(r.idx) ?? 0 };
      if (r.pause_before_ms !== null) c.pauseBeforeMs = r.pause_before_ms;
      out.push(c);
    }
    return out;
  }

  /** One bounded step; true when more work can be done right now. */
  async step(): Promise<boolean> {
    const a = this.assembler();
    if (!a) return false;
    const before = a.status();
    if (before.status === 'done') return false;
    const r = await a.step(ASSEMBLY_STEP_CALLS);
    return !r.done && r.chunks > 0;
  }

  /** True when the job has a book to assemble that is not finished yet. */
  pending(): boolean {
    const a = this.assembler();
    return a !== null && a.status().status !== 'done';
  }

  status(): AssemblyStatus | null {
    return this.assembler()?.status() ?? null;
  }

  /** The book as the job state shows it. */
  describe(jobId: string, failed: boolean): JobBook | null {
    const meta = this.book.meta();
    if (!meta || meta.assemble === 0 || meta.audio_format === 'aac') return null;
    const s = this.status();
    const base = `/api/tts/${jobId}`;
    return {
      format: meta.audio_format as JobAudioFormat,
      status: s?.status === 'done' ? 'done' : failed ? 'failed' : s ? 'assembling' : 'waiting',
      bytes: null,
      durationMs: s?.book.durationMs ?? null,
      links: { audio: `${base}/audio`, chapters: `${base}/chapters.vtt` },
    };
  }

  /** The job's state was wiped: the next job in this object starts afresh. */
  forget(): void {
    this.cached = undefined;
  }

  /**
   * A passage was redone: the book is assembled again from the first chunk (simplest correct
   * way; the old book file stays in R2 until the new one replaces it, and is not served as complete).
   */
  async reset(): Promise<void> {
    const a = this.assembler();
    if (!a) return; // not started yet: it will read the new chunk when it starts
    await a.abort();
    for (const table of ['audiobook_staged', 'audiobook_part', 'audiobook_output', 'audiobook']) this.sql.exec(`DELETE FROM ${table}`);
    this.cached = undefined;
  }

  /** Aborts open uploads before the job's objects are deleted. */
  async abort(): Promise<void> {
    await this.assembler()?.abort();
  }
}
