// Assembles a finished (or finishing) job's audiobook into R2, a bounded step
// at a time: each step reads at most `budget` R2 objects' worth of calls,
// re-frames the chunks into the book file and the current chapter's file, and
// uploads whole multipart parts; the header slot at the front of each file is
// written last. Called from the job's alarm until `step()` says done.
import { BOOK_MIME_TYPES, type BookTags } from '../../../core/audio/book/metadata.ts';
import { pauseKind } from '../../../core/audio/book/timeline.ts';
import type { BookWriter, BookWriterState } from '../../../core/audio/book/writer.ts';
import { bookWriter } from '../../../core/audio/book/writers.ts';
import { DEFAULT_PAUSES, type PauseOptions } from '../../../core/audio/timeline.ts';
import { isJobId } from '../../../core/ids.ts';
import { AssemblyError } from './errors.ts';
import { listOutputs, OutputFile, type CallCounter, type OutputRecord } from './OutputFile.ts';
import { bookKey, chapterKey, MAX_COVER_BYTES, type AssemblyChunk, type AssemblyPlan, type ChunkSource } from './plan.ts';
import { ASSEMBLY_SCHEMA_SQL } from './schema.ts';

/** R2's smallest part (all but the last); larger parts mean fewer class-A operations and more memory per step. */
export const DEFAULT_PART_BYTES = 5 * 1024 * 1024;
/** R2 calls one step may make by default. */
export const DEFAULT_STEP_CALLS = 50;
/**
 * Calls kept back while reading: after any one chunk, a chapter may finish
 * (cover get, last part, part 1, complete, head) and both files may owe two full
 * parts and an upload creation.
 */
const RESERVED_CALLS = 12;
/** Calls the book's own finish needs (cover get, last part, part 1, complete, a head after a lost completion). */
const BOOK_FINISH_CALLS = 5;

export interface StepResult {
  done: boolean;
  /** Chunks read in this step. */
  chunks: number;
  /** R2 calls made in this step. */
  r2Calls: number;
  /** Of which class-A operations (put, create, upload part, complete). */
  r2Writes: number;
}

export interface AssemblyStatus {
  status: 'assembling' | 'done';
  cursor: number;
  totalChunks: number;
  book: { key: string; complete: boolean; durationMs: number | null; chapterStarts: { index: number; title: string; startMs: number }[] };
  chapters: { index: number; title: string; key: string; complete: boolean; durationMs: number | null }[];
}

interface MetaRow extends Record<string, SqlStorageValue> {
  plan: string;
  cursor: number;
  chapter_target: string | null;
  status: string;
}

/** A stable 32-bit Ogg serial per output file. */
function serialFor(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class AudiobookAssembler {
  private readonly sql: SqlStorage;
  private readonly bucket: R2Bucket;
  private readonly source: ChunkSource;
  private readonly partSize: number;
  private running: Promise<StepResult> | undefined;

  constructor(sql: SqlStorage, bucket: R2Bucket, source: ChunkSource, options: { partBytes?: number } = {}) {
    this.sql = sql;
    this.bucket = bucket;
    this.source = source;
    this.partSize = options.partBytes ?? DEFAULT_PART_BYTES;
    if (this.partSize < DEFAULT_PART_BYTES) throw new RangeError('R2 parts are at least 5 MiB');
    sql.exec(ASSEMBLY_SCHEMA_SQL);
  }

  /** Records the plan; calling it again with the same plan changes nothing. */
  init(plan: AssemblyPlan): void {
    if (!isJobId(plan.jobId)) throw new AssemblyError('invalid_plan', `invalid job id: ${plan.jobId}`);
    if (!Number.isSafeInteger(plan.totalChunks) || plan.totalChunks < 1) throw new AssemblyError('invalid_plan', 'a book needs at least one chunk');
    if (plan.cover && plan.cover.bytes > MAX_COVER_BYTES) throw new AssemblyError('invalid_plan', `cover over ${MAX_COVER_BYTES} bytes`);
    if (plan.format !== 'wav' && plan.chapters.length > 255) throw new AssemblyError('invalid_plan', 'at most 255 chapters (one ID3 CTOC)');
    const json = JSON.stringify(plan);
    const existing = this.meta();
    if (existing) {
      if (existing.plan !== json) throw new AssemblyError('plan_conflict', 'assembly already started with another plan');
      return;
    }
    this.sql.exec('INSERT INTO audiobook (id, plan) VALUES (1, ?)', json);
    const tags = this.bookTags(plan, true);
    const writer = bookWriter(plan.format);
    const slot = writer.slotBytes(tags);
    OutputFile.open(this.sql, this.bucket, { target: 'book', key: bookKey(plan.jobId, plan.format), slotBytes: slot, state: writer.start(tags, slot, serialFor(`${plan.jobId}:book`)) }, this.partSize, BOOK_MIME_TYPES[plan.format]);
  }

  get initialized(): boolean {
    return this.meta() !== undefined;
  }

  /** One bounded step; safe to call again after a crash or concurrently (calls share one step). */
  step(budget: number = DEFAULT_STEP_CALLS): Promise<StepResult> {
    this.running ??= this.runStep(budget).finally(() => (this.running = undefined));
    return this.running;
  }

  status(): AssemblyStatus {
    const meta = this.meta();
    if (!meta) throw new AssemblyError('not_initialized', 'no audiobook assembly in this job');
    const plan = JSON.parse(meta.plan) as AssemblyPlan;
    const outputs = new Map(listOutputs(this.sql).map((o) => [o.target, o]));
    const book = outputs.get('book')!;
    return {
      status: meta.status === 'done' ? 'done' : 'assembling',
      cursor: meta.cursor,
      totalChunks: plan.totalChunks,
      book: { key: book.key, complete: book.status === 'complete', durationMs: book.durationMs, chapterStarts: book.chapterStarts },
      chapters: plan.chapters.map((c) => {
        const o = outputs.get(`chapter:${c.index}`);
        return { index: c.index, title: c.title, key: chapterKey(plan.jobId, plan.format, c.index), complete: o?.status === 'complete', durationMs: o?.durationMs ?? null };
      }),
    };
  }

  /** Aborts open multipart uploads (when a job is deleted), so no parts linger. */
  async abort(): Promise<void> {
    for (const o of listOutputs(this.sql)) {
      if (o.status === 'open' && o.uploadId) await this.bucket.resumeMultipartUpload(o.key, o.uploadId).abort();
    }
  }

  private meta(): MetaRow | undefined {
    return this.sql.exec<MetaRow>('SELECT plan, cursor, chapter_target, status FROM audiobook WHERE id = 1').toArray()[0];
  }

  private bookTags(plan: AssemblyPlan, sizing: boolean, cover?: Uint8Array): BookTags {
    return {
      title: plan.title,
      artist: plan.author,
      album: plan.title,
      cover: plan.cover && plan.format !== 'wav' ? { mimeType: plan.cover.mimeType, data: sizing ? new Uint8Array(plan.cover.bytes) : cover! } : undefined,
      chapterTitles: plan.chapters.map((c) => c.title),
    };
  }

  private chapterTags(plan: AssemblyPlan, title: string, cover?: Uint8Array): BookTags {
    return { ...this.bookTags(plan, cover === undefined, cover), title, album: plan.title, chapterTitles: [] };
  }

  private async runStep(budget: number): Promise<StepResult> {
    if (budget < RESERVED_CALLS + BOOK_FINISH_CALLS + 1) throw new AssemblyError('budget_too_small', `a step needs at least ${RESERVED_CALLS + BOOK_FINISH_CALLS + 1} R2 calls`);
    const meta = this.meta();
    if (!meta) throw new AssemblyError('not_initialized', 'no audiobook assembly in this job');
    if (meta.status === 'done') return { done: true, chunks: 0, r2Calls: 0, r2Writes: 0 };
    const plan = JSON.parse(meta.plan) as AssemblyPlan;
    const writer = bookWriter(plan.format);
    const pauses = plan.pauses ?? DEFAULT_PAUSES;
    const mime = BOOK_MIME_TYPES[plan.format];
    const calls: CallCounter = { used: 0, writes: 0 };
    let coverBytes: Uint8Array | undefined;
    const cover = async (): Promise<Uint8Array | undefined> => {
      if (!plan.cover || plan.format === 'wav') return undefined;
      if (!coverBytes) {
        const obj = await this.bucket.get(plan.cover.key);
        calls.used++;
        if (!obj) throw new AssemblyError('cover_missing', `cover ${plan.cover.key} is not in R2`);
        coverBytes = new Uint8Array(await obj.arrayBuffer());
        if (coverBytes.length !== plan.cover.bytes) throw new AssemblyError('invalid_plan', `cover is ${coverBytes.length} bytes, the plan said ${plan.cover.bytes}`);
      }
      return coverBytes;
    };
    const book = OutputFile.load(this.sql, this.bucket, 'book', this.partSize, mime)!;
    let chapter = meta.chapter_target ? OutputFile.load(this.sql, this.bucket, meta.chapter_target, this.partSize, mime) : undefined;
    const finishChapter = async (file: OutputFile) => {
      const index = Number(file.rec.target.slice('chapter:'.length));
      const title = plan.chapters.find((c) => c.index === index)?.title ?? '';
      const tags = this.chapterTags(plan, title, await cover());
      await file.finish(writer.header(file.rec.state, tags, [], file.rec.slotBytes), writer.durationMs(file.rec.state), calls);
    };

    let cursor = meta.cursor;
    let read = 0;
    let newBytes = 0;
    const canRead = () => cursor < plan.totalChunks && calls.used + 1 + RESERVED_CALLS <= budget && newBytes < this.partSize;
    while (canRead()) {
      const batch = await this.source.chunks(cursor, Math.min(budget, plan.totalChunks - cursor) + 1);
      // The chunk at the cursor is not finished yet: the job's next alarm steps again.
      if (batch.length === 0) break;
      for (let i = 0; i < batch.length && canRead(); i++) {
        const c = batch[i]!;
        const obj = await this.bucket.get(c.key);
        calls.used++;
        if (!obj) throw new AssemblyError('chunk_missing', `chunk ${cursor} (${c.key}) is not in R2`);
        const bytes = new Uint8Array(await obj.arrayBuffer());
        read++;
        newBytes += bytes.length;
        const lastOfBook = cursor === plan.totalChunks - 1;
        const next: AssemblyChunk | undefined = batch[i + 1];
        this.appendTo(book, writer, bytes, c, lastOfBook, pauses, plan);
        if (plan.chapters.length > 0) {
          if (chapter && chapter.rec.target !== `chapter:${c.chapter}`) {
            await finishChapter(chapter);
            chapter = undefined;
          }
          chapter ??= this.openChapter(plan, writer, c.chapter);
          const lastOfChapter = lastOfBook || (next !== undefined && next.chapter !== c.chapter);
          if (!chapter.complete) this.appendTo(chapter, writer, bytes, c, lastOfChapter, pauses, plan);
          if (lastOfChapter) await finishChapter(chapter);
        }
        cursor++;
      }
    }
    await book.flushFullParts(calls);
    if (chapter && !chapter.complete) await chapter.flushFullParts(calls);
    let done = false;
    if (cursor === plan.totalChunks && calls.used + BOOK_FINISH_CALLS <= budget) {
      const durationMs = writer.durationMs(book.rec.state);
      const starts = book.rec.chapterStarts;
      const chapters = starts.map((s, i) => ({ title: s.title, startMs: s.startMs, endMs: starts[i + 1]?.startMs ?? durationMs }));
      await book.finish(writer.header(book.rec.state, this.bookTags(plan, false, await cover()), chapters, book.rec.slotBytes), durationMs, calls);
      done = true;
    }
    // One synchronous block: the files' stream state and the cursor land together.
    book.commit();
    chapter?.commit();
    this.sql.exec('UPDATE audiobook SET cursor = ?, chapter_target = ?, status = ? WHERE id = 1', cursor, chapter && !chapter.complete ? chapter.rec.target : null, done ? 'done' : 'assembling');
    return { done, chunks: read, r2Calls: calls.used, r2Writes: calls.writes };
  }

  private openChapter(plan: AssemblyPlan, writer: BookWriter<BookWriterState>, index: number): OutputFile {
    const title = plan.chapters.find((c) => c.index === index)?.title;
    if (title === undefined) throw new AssemblyError('invalid_plan', `chunk names chapter ${index}, which the plan does not list`);
    const tags = this.chapterTags(plan, title);
    const slot = writer.slotBytes(tags);
    const target = `chapter:${index}`;
    return OutputFile.open(this.sql, this.bucket, { target, key: chapterKey(plan.jobId, plan.format, index), slotBytes: slot, state: writer.start(tags, slot, serialFor(`${plan.jobId}:${target}`)) }, this.partSize, BOOK_MIME_TYPES[plan.format]);
  }

  private appendTo(file: OutputFile, writer: BookWriter<BookWriterState>, bytes: Uint8Array, c: AssemblyChunk, last: boolean, pauses: PauseOptions, plan: AssemblyPlan): void {
    if (file.complete) return;
    let r;
    try {
      r = writer.append(file.rec.state, bytes, pauseKind(file.rec.chunks, c.paragraphStart, c.pauseBeforeMs), last, pauses);
    } catch (e) {
      throw new AssemblyError('invalid_audio', `chunk ${c.key}: ${(e as Error).message}`, { cause: e });
    }
    const starts = file.rec.chapterStarts;
    if (file.rec.target === 'book' && plan.chapters.length > 0 && starts.at(-1)?.index !== c.chapter) {
      starts.push({ index: c.chapter, title: plan.chapters.find((ch) => ch.index === c.chapter)?.title ?? '', startMs: r.startMs });
    }
    file.append(r.bytes, r.state);
  }
}

export type { OutputRecord };
