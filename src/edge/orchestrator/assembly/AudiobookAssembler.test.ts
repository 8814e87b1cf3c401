// The audiobook assembler in workerd, against the local R2 bucket and a real
// Durable Object's SQLite: chunk objects put into R2, the book and chapter
// files assembled in bounded steps (each step a fresh assembler, as separate
// alarm invocations are), some steps rolled back as if the object crashed,
// and the results read back with music-metadata and compared byte for byte.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { parseBuffer } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import type { BookAudioFormat, BookTags } from '../../../core/audio/book/metadata.ts';
import { pauseKind } from '../../../core/audio/book/timeline.ts';
import { bookWriter } from '../../../core/audio/book/writers.ts';
import { concatBytes } from '../../../core/audio/bytes.ts';
import { DEFAULT_PAUSES, layoutTimeline } from '../../../core/audio/timeline.ts';
import { encodeWav, parseWav } from '../../../core/audio/wav.ts';
import type { TtsJobDurableObject } from '../job/TtsJobDurableObject.ts';
import { AudiobookAssembler, type StepResult } from './AudiobookAssembler.ts';
import { AssemblyError } from './errors.ts';
import { CHUNK_FIXTURES } from './fixtures/chunks.ts';
import type { AssemblyChunk, AssemblyPlan } from './plan.ts';

const bucket = env.TTS_AUDIO_BUCKET;
const TABLES = ['audiobook', 'audiobook_output', 'audiobook_part', 'audiobook_staged'];

function fromBase64(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

interface Book {
  jobId: string;
  stub: DurableObjectStub<TtsJobDurableObject>;
  chunks: (AssemblyChunk & { bytes: Uint8Array })[];
  plan: AssemblyPlan;
}

async function putBook(format: BookAudioFormat, chunkBytes: Uint8Array[], chapterOf: (i: number) => number, chapterTitles: string[], cover?: Uint8Array): Promise<Book> {
  const jobId = crypto.randomUUID();
  const chunks = chunkBytes.map((bytes, i) => ({ key: `tts_audio/${jobId}/${i}.${format}`, paragraphStart: i % 4 === 0, chapter: chapterOf(i), bytes }));
  for (const c of chunks) await bucket.put(c.key, c.bytes);
  let coverPlan: AssemblyPlan['cover'];
  if (cover) {
    await bucket.put(`tts_audio/${jobId}/cover.png`, cover);
    coverPlan = { key: `tts_audio/${jobId}/cover.png`, mimeType: 'image/png', bytes: cover.length };
  }
  const plan: AssemblyPlan = { jobId, format, title: 'Pride and Prejudice', author: 'Jane Austen', cover: coverPlan, chapters: chapterTitles.map((title, index) => ({ index, title })), totalChunks: chunks.length };
  return { jobId, chunks, plan, stub: env.TTS_JOB_DO.get(env.TTS_JOB_DO.idFromName(jobId)) };
}

function assembler(book: Book, sql: SqlStorage): AudiobookAssembler {
  return new AudiobookAssembler(sql, bucket, { chunks: (from, limit) => book.chunks.slice(from, from + limit) });
}

type Snapshot = Record<string, Record<string, SqlStorageValue>[]>;

/** Runs steps until done; every `rollbackEvery`-th step is undone afterwards (its SQLite rows restored, its R2 writes kept), as a crash before the step's commit would. */
async function assemble(book: Book, budget: number, rollbackEvery = 0): Promise<StepResult[]> {
  await runInDurableObject(book.stub, (_i, s) => assembler(book, s.storage.sql).init(book.plan));
  const results: StepResult[] = [];
  for (let n = 1; n < 1000; n++) {
    const r = await runInDurableObject(book.stub, async (_i, s) => {
      const sql = s.storage.sql;
      const snap: Snapshot = Object.fromEntries(TABLES.map((t) => [t, sql.exec(`SELECT * FROM ${t}`).toArray()]));
      const result = await assembler(book, sql).step(budget);
      if (rollbackEvery > 0 && n % rollbackEvery === 0 && !result.done) {
        for (const t of TABLES) {
          sql.exec(`DELETE FROM ${t}`);
          for (const row of snap[t]!) {
            const cols = Object.keys(row);
            sql.exec(`INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, ...cols.map((c) => row[c]!));
          }
        }
      }
      return result;
    });
    results.push(r);
    if (r.done) return results;
  }
  throw new Error('assembly did not finish');
}

async function object(key: string): Promise<Uint8Array> {
  const o = await bucket.get(key);
  expect(o, key).not.toBeNull();
  return new Uint8Array(await o!.arrayBuffer());
}

/** The same chunks through the pure writer in one go: what the R2 object must equal byte for byte. */
function expected(format: BookAudioFormat, chunks: Uint8Array[], paragraphStarts: boolean[], tags: BookTags, serial: number, chapterStarts: number[]): { file: Uint8Array; startsMs: number[] } {
  const w = bookWriter(format);
  const slot = w.slotBytes(tags);
  let state = w.start(tags, slot, serial);
  const body: Uint8Array[] = [];
  const startsMs: number[] = [];
  chunks.forEach((c, i) => {
    const r = w.append(state, c, pauseKind(i, paragraphStarts[i]!), i === chunks.length - 1, DEFAULT_PAUSES);
    state = r.state;
    body.push(r.bytes);
    if (chapterStarts.includes(i)) startsMs.push(r.startMs);
  });
  const d = w.durationMs(state);
  const chapters = (tags.chapterTitles ?? []).map((title, c) => ({ title, startMs: startsMs[c]!, endMs: startsMs[c + 1] ?? d }));
  return { file: concatBytes([w.header(state, tags, chapters, slot), ...body]), startsMs };
}

function serialFor(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const COVER = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 4000 }, (_, i) => (i * 7) & 0xff)]);

describe('AudiobookAssembler', () => {
  it('WAV: a 13 MB book in 5 MiB parts and chapter files (one over a part), byte-exact, bounded steps, rolled-back steps redone', async () => {
    const rate = 22050;
    // Deterministic, distinct PCM per chunk: any lost, doubled or reordered byte shows.
    const pcm = Array.from({ length: 56 }, (_, k) => {
      const b = new Uint8Array(rate * 2 * 5);
      const v = new DataView(b.buffer);
      for (let i = 0; i < b.length / 2; i++) v.setInt16(i * 2, ((k * 7919 + i * 31) % 20000) - 10000, true);
      return b;
    });
    const wavs = pcm.map((p) => encodeWav(p, { sampleRate: rate, channels: 1, bitsPerSample: 16 }));
    const chapterOf = (i: number) => (i < 16 ? 0 : i < 46 ? 1 : 2);
    const book = await putBook('wav', wavs, chapterOf, ['One', 'Two', 'Three']);
    const budget = 20;
    const steps = await assemble(book, budget, 3);
    for (const s of steps) expect(s.r2Calls).toBeLessThanOrEqual(budget);

    const whole = parseWav(await object(`tts_audio/${book.jobId}/book.wav`));
    const fmt = { sampleRate: rate, channels: 1, bitsPerSample: 16 } as const;
    const laid = layoutTimeline(book.chunks.map((c, i) => ({ index: i, paragraphStart: c.paragraphStart, pcmBytes: pcm[i]!.length })), fmt);
    const want = new Uint8Array(laid.dataBytes);
    laid.placed.forEach((p, i) => want.set(pcm[i]!, p.pcmOffset));
    expect(sameBytes(whole.pcm, want)).toBe(true);
    const meta = await parseBuffer(await object(`tts_audio/${book.jobId}/book.wav`), { mimeType: 'audio/wav' });
    expect(meta.common.title).toBe('Pride and Prejudice');
    expect(meta.common.artist).toBe('Jane Austen');

    for (const [c, range] of [[0, [0, 16]], [1, [16, 46]], [2, [46, 56]]] as const) {
      const file = parseWav(await object(`tts_audio/${book.jobId}/chapters/${c}.wav`));
      const idx = Array.from({ length: range[1] - range[0] }, (_, j) => range[0] + j);
      const l = layoutTimeline(idx.map((i, j) => ({ index: j, paragraphStart: book.chunks[i]!.paragraphStart, pcmBytes: pcm[i]!.length })), fmt);
      const w = new Uint8Array(l.dataBytes);
      l.placed.forEach((p, j) => w.set(pcm[idx[j]!]!, p.pcmOffset));
      expect(sameBytes(file.pcm, w), `chapter ${c}`).toBe(true);
    }
    const status = await runInDurableObject(book.stub, (_i, s) => assembler(book, s.storage.sql).status());
    expect(status.status).toBe('done');
    expect(status.chapters.every((c) => c.complete)).toBe(true);
    // Nothing left staged once every file is complete.
    const staged = await runInDurableObject(book.stub, (_i, s) => s.storage.sql.exec('SELECT COUNT(*) AS n FROM audiobook_staged').one().n);
    expect(staged).toBe(0);
  });

  it('MP3: ID3 chapters, cover and Xing duration read by music-metadata; equal to the pure writer byte for byte across parts', async () => {
    const chunks = Array.from({ length: 100 }, (_, i) => fromBase64(CHUNK_FIXTURES[i % 3]!.mp3));
    const chapterOf = (i: number) => Math.floor(i / 25);
    const titles = ['Chapter 1', 'Chapter 2', 'Chapter 3', 'Chapter 4'];
    const book = await putBook('mp3', chunks, chapterOf, titles, COVER);
    const steps = await assemble(book, 50, 4);
    for (const s of steps) expect(s.r2Calls).toBeLessThanOrEqual(50);
    const file = await object(`tts_audio/${book.jobId}/book.mp3`);
    expect(file.length).toBeGreaterThan(5 * 1024 * 1024);
    const tags: BookTags = { title: 'Pride and Prejudice', artist: 'Jane Austen', album: 'Pride and Prejudice', cover: { mimeType: 'image/png', data: COVER }, chapterTitles: titles };
    const want = expected('mp3', chunks, book.chunks.map((c) => c.paragraphStart), tags, 0, [0, 25, 50, 75]);
    expect(sameBytes(file, want.file)).toBe(true);

    const meta = await parseBuffer(file, { mimeType: 'audio/mpeg' }, { duration: true });
    expect(meta.common.title).toBe('Pride and Prejudice');
    expect(meta.common.artist).toBe('Jane Austen');
    expect(meta.common.picture?.[0]?.data.length).toBe(COVER.length);
    expect(meta.format.chapters?.map((c) => c.title)).toEqual(titles);
    meta.format.chapters!.forEach((c, i) => expect(Math.abs(c.start * 1000 - want.startsMs[i]!)).toBeLessThan(1));
    const status = await runInDurableObject(book.stub, (_i, s) => assembler(book, s.storage.sql).status());
    expect(Math.abs(meta.format.duration! * 1000 - status.book.durationMs!)).toBeLessThan(1);

    const ch = await object(`tts_audio/${book.jobId}/chapters/2.mp3`);
    const chMeta = await parseBuffer(ch, { mimeType: 'audio/mpeg' }, { duration: true });
    expect(chMeta.common.title).toBe('Chapter 3');
    expect(chMeta.common.album).toBe('Pride and Prejudice');
    expect(Math.abs(chMeta.format.duration! * 1000 - status.chapters[2]!.durationMs!)).toBeLessThan(1);
    const chWant = expected('mp3', chunks.slice(50, 75), book.chunks.slice(50, 75).map((c) => c.paragraphStart), { title: 'Chapter 3', artist: 'Jane Austen', album: 'Pride and Prejudice', cover: { mimeType: 'image/png', data: COVER }, chapterTitles: [] }, 0, []);
    expect(sameBytes(ch, chWant.file)).toBe(true);
  });

  it('Opus: one re-framed stream with CHAPTERxxx comments; chapter files; equal to the pure writer', async () => {
    const chunks = Array.from({ length: 30 }, (_, i) => fromBase64(CHUNK_FIXTURES[i % 3]!.opus));
    const titles = ['Opening', 'Middle', 'End'];
    const book = await putBook('opus', chunks, (i) => Math.floor(i / 10), titles, COVER);
    const steps = await assemble(book, 20);
    expect(steps.length).toBeGreaterThan(1);
    for (const s of steps) expect(s.r2Calls).toBeLessThanOrEqual(20);
    const file = await object(`tts_audio/${book.jobId}/book.opus`);
    const tags: BookTags = { title: 'Pride and Prejudice', artist: 'Jane Austen', album: 'Pride and Prejudice', cover: { mimeType: 'image/png', data: COVER }, chapterTitles: titles };
    const want = expected('opus', chunks, book.chunks.map((c) => c.paragraphStart), tags, serialFor(`${book.jobId}:book`), [0, 10, 20]);
    expect(sameBytes(file, want.file)).toBe(true);
    const meta = await parseBuffer(file, { mimeType: 'audio/ogg' }, { duration: true });
    const vorbis = Object.fromEntries((meta.native.vorbis ?? []).map((t) => [t.id, t.value]));
    expect([vorbis.CHAPTER001NAME, vorbis.CHAPTER002NAME, vorbis.CHAPTER003NAME]).toEqual(titles);
    expect(meta.common.picture?.[0]?.data.length).toBe(COVER.length);
    const ch = await parseBuffer(await object(`tts_audio/${book.jobId}/chapters/1.opus`), { mimeType: 'audio/ogg' }, { duration: true });
    expect(ch.common.title).toBe('Middle');
    expect(ch.format.duration).toBeGreaterThan(10);
  });

  it('figures: a novel-shaped MP3 book (65 chunks per chapter, ~60 KB per chunk) costs bounded calls; rows and class-A operations logged', async () => {
    // The corpus novel: 3,985 chunks for 765,805 characters (5.2 chunks per 1,000 chars), 61 chapters,
    // MP3 at 48 kbit/s, ~9.3 s per chunk: ~56 KB, like these 160 kbit/s, 3 s fixture chunks.
    const count = 260;
    const chunks = Array.from({ length: count }, (_, i) => fromBase64(CHUNK_FIXTURES[i % 3]!.mp3));
    const book = await putBook('mp3', chunks, (i) => Math.floor(i / 65), ['1', '2', '3', '4'], COVER);
    await runInDurableObject(book.stub, (_i, s) => assembler(book, s.storage.sql).init(book.plan));
    let rowsWritten = 0;
    const results: StepResult[] = [];
    for (;;) {
      const r = await runInDurableObject(book.stub, async (_i, s) => {
        const sql = s.storage.sql;
        // Counts rows written by every statement the assembler runs.
        const counting = {
          exec: (query: string, ...bindings: unknown[]) => {
            const cursor = sql.exec(query, ...bindings);
            const rows = cursor.toArray();
            rowsWritten += cursor.rowsWritten;
            return { toArray: () => rows, one: () => rows[0], [Symbol.iterator]: () => rows[Symbol.iterator]() };
          },
        } as unknown as SqlStorage;
        return assembler(book, counting).step(50);
      });
      results.push(r);
      if (r.done) break;
    }
    const bytes = chunks.reduce((n, c) => n + c.length, 0);
    const chars = (count / 3985) * 765805;
    const figures = {
      chunks: count,
      audioBytes: bytes,
      steps: results.length,
      maxR2CallsPerStep: Math.max(...results.map((r) => r.r2Calls)),
      r2Calls: results.reduce((n, r) => n + r.r2Calls, 0),
      classA: results.reduce((n, r) => n + r.r2Writes, 0),
      rowsWritten,
      per1000Chars: {
        steps: +((results.length / chars) * 1000).toFixed(3),
        rowsWritten: +((rowsWritten / chars) * 1000).toFixed(2),
        classA: +((results.reduce((n, r) => n + r.r2Writes, 0) / chars) * 1000).toFixed(3),
      },
    };
    console.log(`assembly figures ${JSON.stringify(figures)}`);
    expect(figures.maxR2CallsPerStep).toBeLessThanOrEqual(50);
    expect(await bucket.head(`tts_audio/${book.jobId}/book.mp3`)).not.toBeNull();
  });

  it('a missing chunk object is a typed error; init is idempotent and refuses a different plan', async () => {
    const book = await putBook('mp3', [fromBase64(CHUNK_FIXTURES[0]!.mp3), fromBase64(CHUNK_FIXTURES[1]!.mp3)], () => 0, ['Only']);
    await bucket.delete(book.chunks[1]!.key);
    await runInDurableObject(book.stub, async (_i, s) => {
      const a = assembler(book, s.storage.sql);
      a.init(book.plan);
      a.init(book.plan);
      expect(() => a.init({ ...book.plan, title: 'Other' })).toThrow(AssemblyError);
      await expect(a.step()).rejects.toMatchObject({ code: 'chunk_missing' });
    });
  });
});
