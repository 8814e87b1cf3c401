// Books in, audiobooks out, on the real stack: EPUB, Markdown and JSON books
// become chaptered jobs whose whole-book and chapter files are assembled in
// R2; the files are read back with music-metadata (tags, chapters) and kept
// decoders (mpg123, libopus), and the WAV book is compared byte for byte with
// the chunks and the designed pauses.
import { parseBuffer } from 'music-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobState } from '../../src/core/api/types.ts';
import { parseWav } from '../../src/core/audio/wav.ts';
import { EPUB3_EXPECTED, MARKDOWN_BOOK, MARKDOWN_EXPECTED, epub3Book } from '../fixtures/books/index.ts';
import { decodeMp3, decodeOggOpus } from '../support/audio-codecs.ts';
import { sharedStack, type SharedStack } from '../support/shared-stack.ts';

let stack: SharedStack;

async function create(body: string | Uint8Array, contentType: string, query = ''): Promise<string> {
  const res = await fetch(`${stack.edgeUrl}/api/tts${query}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const json = (await res.json()) as { jobId?: string; error?: unknown };
  expect(res.status, JSON.stringify(json)).toBe(202);
  return json.jobId!;
}

async function state(jobId: string, chunks = false): Promise<JobState> {
  const res = await fetch(`${stack.edgeUrl}/api/tts/${jobId}${chunks ? '?include=chunks' : ''}`);
  expect(res.status).toBe(200);
  return (await res.json()) as JobState;
}

/** Waits until the job is done and its book assembled (deadline: 150 s on a loaded 2-core machine). */
async function bookDone(jobId: string): Promise<JobState> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const s = await state(jobId);
    if (s.status === 'failed') throw new Error(`job failed: ${s.errorMessage}`);
    if (s.book?.status === 'done') return s;
    if (Date.now() > deadline) throw new Error(`book not done in time: ${JSON.stringify({ status: s.status, book: s.book })}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function download(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${stack.edgeUrl}${path}`, { headers });
}

beforeAll(async () => {
  stack = await sharedStack();
});

describe('audiobooks', () => {
  it('an EPUB 3 becomes a chaptered MP3 book: TOC titles, tags, cover, CHAP frames, decodable book and chapter files, ranges', async () => {
    const jobId = await create(epub3Book(), 'application/epub+zip', '?audioFormat=mp3');
    const s = await bookDone(jobId);
    expect(s.metadata).toEqual({ title: 'The Lighthouse Keeper', author: 'Mara Quill' });
    expect(s.audioFormat).toBe('mp3');
    expect(s.chapters.map((c) => c.title)).toEqual(EPUB3_EXPECTED.chapters.map((c) => c.title));
    // Chapter boundaries are chunk boundaries: the chapters tile the chunks.
    let next = 0;
    for (const c of s.chapters) {
      expect(c.firstChunk).toBe(next);
      next += c.chunkCount;
      expect(c.durationMs).toBeGreaterThan(0);
    }
    expect(next).toBe(s.totalSentences);

    // The spoken text: no footnote markers, page numbers, notes, scripts or TOC.
    const full = await state(jobId, true);
    const spoken = full.chunks!.map((c) => c.text).join(' ');
    expect(spoken).toContain('The wind rose at dusk. Waves struck the rocks.');
    for (const unwanted of ['seven', 'eight', 'Dusk falls early', 'Paraffin', 'script text', 'Chapter Three: The Boat', 'Cover of']) expect(spoken).not.toContain(unwanted);

    const res = await download(`/api/tts/${jobId}/audio`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    const book = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(book.length);
    const meta = await parseBuffer(book, { mimeType: 'audio/mpeg' }, { includeChapters: true, duration: true });
    expect(meta.common.title).toBe('The Lighthouse Keeper');
    expect(meta.common.artist).toBe('Mara Quill');
    expect(meta.common.picture?.[0]?.format).toBe('image/png');
    expect(meta.format.chapters?.map((c) => c.title)).toEqual(EPUB3_EXPECTED.chapters.map((c) => c.title));
    const decoded = await decodeMp3(book);
    expect(decoded.errors).toBe(0);
    const bookMs = (decoded.samples.length / decoded.sampleRate) * 1000;
    expect(Math.abs(bookMs - (s.book!.durationMs ?? 0))).toBeLessThan(100);
    expect(meta.format.duration! * 1000).toBeGreaterThan(bookMs - 200);

    // A range is served as 206 with the exact bytes.
    const part = await download(`/api/tts/${jobId}/audio`, { range: 'bytes=100-1099' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1099/${book.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(Buffer.from(book.subarray(100, 1100)))).toBe(true);

    // Each chapter file decodes, and its length is the chapter's listed duration.
    for (const c of s.chapters) {
      const ch = await download(`/api/tts/${jobId}/chapters/${c.index}/audio`);
      expect(ch.status).toBe(200);
      const bytes = new Uint8Array(await ch.arrayBuffer());
      const d = await decodeMp3(bytes);
      expect(Math.abs((d.samples.length / d.sampleRate) * 1000 - c.durationMs!)).toBeLessThan(100);
    }
    expect((await download(`/api/tts/${jobId}/chapters/99/audio`)).status).toBe(404);

    // Captions are placed as the book's bytes are: the last cue ends where the book's sound ends.
    const captions = await (await download(`/api/tts/${jobId}/captions.vtt`)).text();
    const ends = [...captions.matchAll(/--> (\d+):(\d+):(\d+)\.(\d+)/g)].map((m) => ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]));
    expect(ends.length).toBeGreaterThan(0);
    expect(Math.abs(ends.at(-1)! - s.book!.durationMs!)).toBeLessThan(50);
    const vtt = await (await download(`/api/tts/${jobId}/chapters.vtt`)).text();
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    for (const c of s.chapters) expect(vtt).toContain(c.title);
  });

  it('chapters=2-3 reads only those chapters, keeping their numbers', async () => {
    const jobId = await create(epub3Book(), 'application/epub+zip', '?audioFormat=opus&chapters=2-3');
    const s = await bookDone(jobId);
    expect(s.chapters.map((c) => [c.index, c.title])).toEqual([
      [2, 'Part Two'],
      [3, 'Chapter Three: The Boat'],
    ]);
    const res = await download(`/api/tts/${jobId}/audio`);
    expect(res.headers.get('content-type')).toMatch(/^audio\/ogg/);
    const book = new Uint8Array(await res.arrayBuffer());
    const meta = await parseBuffer(book, { mimeType: 'audio/ogg' }, { includeChapters: true });
    expect(meta.common.title).toBe('The Lighthouse Keeper');
    const decoded = await decodeOggOpus(book);
    expect(Math.abs((decoded.samples.length / decoded.sampleRate) * 1000 - s.book!.durationMs!)).toBeLessThan(100);
    expect((await download(`/api/tts/${jobId}/chapters/1/audio`)).status).toBe(404);
  });

  it('a Markdown book as WAV: chapters from headings; the book is the chunks with the designed pauses, byte for byte', async () => {
    const jobId = await create(MARKDOWN_BOOK, 'text/markdown', '?audioFormat=wav');
    const s = await bookDone(jobId);
    expect(s.metadata).toEqual({ title: 'Notes from the Hill', author: 'Sam Rivers' });
    expect(s.chapters.map((c) => c.title)).toEqual(MARKDOWN_EXPECTED.chapters.map((c) => c.title));
    const book = parseWav(new Uint8Array(await (await download(`/api/tts/${jobId}/audio`)).arrayBuffer()));
    const full = await state(jobId, true);
    const parts: Uint8Array[] = [];
    for (const c of full.chunks!) {
      const pcm = parseWav(new Uint8Array(await (await download(`/api/tts/${jobId}/chunks/${c.index}`)).arrayBuffer())).pcm;
      if (c.index > 0) parts.push(new Uint8Array(Math.round((c.paragraphStart ? 0.8 : 0.3) * 22050) * 2));
      parts.push(pcm);
    }
    const expected = Buffer.concat(parts);
    expect(book.pcm.byteLength).toBe(expected.byteLength);
    expect(Buffer.from(book.pcm).equals(expected)).toBe(true);
  });

  it('JSON chapters with title and author; bad options get a 4xx and nothing else is harmed', async () => {
    const res = await fetch(`${stack.edgeUrl}/api/tts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Two Notes', author: 'Lector', audioFormat: 'mp3', chapters: [{ title: 'One', text: 'First note.' }, { title: 'Two', text: 'Second note.' }] }),
    });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    const bad = await fetch(`${stack.edgeUrl}/api/tts?audioFormat=flac`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'Hello.' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_audio_format');
    const sel = await fetch(`${stack.edgeUrl}/api/tts?chapters=9`, { method: 'POST', headers: { 'content-type': 'text/markdown' }, body: MARKDOWN_BOOK });
    expect(sel.status).toBe(400);
    expect(((await sel.json()) as { error: { code: string } }).error.code).toBe('invalid_chapter_selection');
    const s = await bookDone(jobId);
    expect(s.chapters.map((c) => c.title)).toEqual(['One', 'Two']);
    const meta = await parseBuffer(new Uint8Array(await (await download(`/api/tts/${jobId}/audio`)).arrayBuffer()), { mimeType: 'audio/mpeg' }, { includeChapters: true });
    expect(meta.common.title).toBe('Two Notes');
    expect(meta.format.chapters?.map((c) => c.title)).toEqual(['One', 'Two']);
  });

  it('?partial=1 on an unfinished MP3 book: the finished prefix, decodable, as long as those chunks and their pauses', async () => {
    const paragraphs = Array.from({ length: 120 }, (_, i) => `Paragraph ${i + 1} of a long chapter keeps the job busy for a while.`).join('\n\n');
    const jobId = await create(`# Only\n\n${paragraphs}`, 'text/markdown', '?audioFormat=mp3');
    const deadline = Date.now() + 120_000;
    let s = await state(jobId);
    while (s.processedSentenceCount < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      s = await state(jobId);
    }
    expect(s.status).toBe('processing');
    const res = await download(`/api/tts/${jobId}/audio?partial=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    const n = Number(res.headers.get('x-lector-chunks'));
    expect(n).toBeGreaterThanOrEqual(3);
    const decoded = await decodeMp3(new Uint8Array(await res.arrayBuffer()));
    expect(decoded.errors).toBe(0);
    const chunks = (await state(jobId, true)).chunks!.slice(0, n);
    const expectedMs = chunks.reduce((ms, c, i) => ms + (c.durationMs ?? 0) + (i === 0 ? 0 : c.paragraphStart ? 800 : 300), 0);
    expect(Math.abs((decoded.samples.length / decoded.sampleRate) * 1000 - expectedMs)).toBeLessThan(60 * n);
    // The rest of the job is not needed: it stops, leaving the shared stack to the other files.
    expect((await fetch(`${stack.edgeUrl}/api/tts/${jobId}`, { method: 'DELETE' })).status).toBe(200);
  });
});
