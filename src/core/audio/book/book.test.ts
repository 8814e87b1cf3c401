// Builds MP3, Ogg Opus and WAV books from real eSpeak NG speech encoded by kept
// encoders, then reads them back with independent readers: music-metadata for
// tags, chapters, cover and duration; mpg123 and libopus for the samples.
import { parseBuffer } from 'music-metadata';
import { beforeAll, describe, expect, test } from 'vitest';
import { decodeMp3, decodeOggOpus, encodeMp3, encodeOggOpus, speechPcm } from '../../../../test/support/audio-codecs.ts';
import { DEFAULT_PAUSES, layoutTimeline } from '../timeline.ts';
import { encodeWav, parseWav } from '../wav.ts';
import { measureChunk } from './measure.ts';
import { placeholderChapters, type BookAudioFormat, type BookTags, type ChapterTime } from './metadata.ts';
import { opusHeaderMinBytes, opusHeaderPages } from '../opus/header-pages.ts';
import { layoutEncodedBook, pauseKind } from './timeline.ts';
import { bookWriter } from './writers.ts';
import { encodeSpeech } from '../../../synth/encoders/encode.ts';

const SCRIPT = [
  { text: 'Chapter One.', paragraphStart: true, chapter: 0 },
  { text: 'It is a truth universally acknowledged.', paragraphStart: true, chapter: 0 },
  { text: 'That a single man in possession of a good fortune must be in want of a wife.', paragraphStart: false, chapter: 0 },
  { text: 'Chapter Two.', paragraphStart: true, chapter: 1 },
  { text: 'Mister Bennet was among the earliest of those who waited on Mister Bingley.', paragraphStart: true, chapter: 1 },
];
const COVER = { mimeType: 'image/png', data: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 300 }, (_, i) => i & 0xff)]) };
const TAGS: BookTags = { title: 'Pride and Prejudice', artist: 'Jane Austen', album: 'Pride and Prejudice', cover: COVER, chapterTitles: ['Chapter 1: Truth', 'Chapter 2: Mr. Bennet’s visit'] };

interface Built {
  file: Uint8Array;
  chunks: { startMs: number; endMs: number }[];
  chapters: ChapterTime[];
  durationMs: number;
}

/** Runs the pure writer over the chunks as the assembler does, chunk by chunk with JSON round trips of the state. */
function build(format: BookAudioFormat, encoded: Uint8Array[], tags: BookTags = TAGS): Built {
  const w = bookWriter(format);
  const slot = w.slotBytes(tags);
  let state = w.start(tags, slot, 0x1ec70a);
  const body: Uint8Array[] = [];
  const chunks: Built['chunks'] = [];
  encoded.forEach((bytes, i) => {
    const r = w.append(JSON.parse(JSON.stringify(state)), bytes, pauseKind(i, SCRIPT[i]!.paragraphStart), i === encoded.length - 1, DEFAULT_PAUSES);
    state = r.state;
    body.push(r.bytes);
    chunks.push({ startMs: r.startMs, endMs: r.endMs });
  });
  const durationMs = w.durationMs(state);
  const starts = (tags.chapterTitles ?? []).map((_, c) => chunks[SCRIPT.findIndex((s) => s.chapter === c)]!.startMs);
  const chapters = (tags.chapterTitles ?? []).map((title, c) => ({ title, startMs: starts[c]!, endMs: starts[c + 1] ?? durationMs }));
  const header = w.header(state, tags, chapters, slot);
  expect(header.length).toBe(slot);
  const file = new Uint8Array(slot + body.reduce((n, b) => n + b.length, 0));
  file.set(header, 0);
  let o = slot;
  for (const b of body) {
    file.set(b, o);
    o += b.length;
  }
  return { file, chunks, chapters, durationMs };
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const x of a) m = Math.max(m, Math.abs(x));
  return m;
}

/** Error energy relative to signal energy, in dB (lower is closer). */
function errorDb(got: Float32Array, want: Float32Array): number {
  let err = 0, sig = 0;
  for (let i = 0; i < want.length; i++) {
    err += (got[i]! - want[i]!) ** 2;
    sig += want[i]! ** 2;
  }
  return 10 * Math.log10(err / sig);
}

let pcm: { pcm: Uint8Array; sampleRate: number }[];

beforeAll(async () => {
  pcm = [];
  for (const s of SCRIPT) pcm.push(await speechPcm(s.text));
}, 60_000);

async function expectTags(file: Uint8Array, mimeType: string, built: Built) {
  const meta = await parseBuffer(file, { mimeType }, { duration: true });
  expect(meta.common.title).toBe(TAGS.title);
  expect(meta.common.artist).toBe(TAGS.artist);
  expect(meta.common.album).toBe(TAGS.album);
  expect(meta.common.picture?.[0]?.format).toBe('image/png');
  expect(Array.from(meta.common.picture?.[0]?.data ?? [])).toEqual(Array.from(COVER.data));
  expect(meta.format.duration! * 1000).toBeCloseTo(built.durationMs, 0);
  return meta;
}

describe('MP3 book', () => {
  let encoded: Uint8Array[];
  let built: Built;
  beforeAll(async () => {
    encoded = [];
    for (const p of pcm) encoded.push(await encodeMp3(p.pcm, p.sampleRate));
    built = build('mp3', encoded);
  });

  test('music-metadata reads title, author, album, cover, CHAP/CTOC chapters and the Xing duration', async () => {
    const meta = await expectTags(built.file, 'audio/mpeg', built);
    expect(meta.format.chapters?.map((c) => c.title)).toEqual(TAGS.chapterTitles);
    meta.format.chapters!.forEach((c, i) => {
      expect(c.start * 1000).toBeCloseTo(Math.round(built.chapters[i]!.startMs), 0);
      expect(c.end! * 1000).toBeCloseTo(Math.round(built.chapters[i]!.endMs), 0);
    });
    expect(meta.format.sampleRate).toBe(22050);
  });

  test('mpg123 decodes each chunk where the timeline puts it, digital silence between', async () => {
    const book = await decodeMp3(built.file, { gapless: false });
    expect(book.errors).toBe(0);
    expect(book.samples.length).toBe(Math.round((built.durationMs * 22050) / 1000));
    // With gapless on, mpg123 drops its own 529-sample (24 ms) synthesis delay and nothing else.
    expect((await decodeMp3(built.file)).samples.length).toBe(book.samples.length - 529);
    let previousEnd = 0;
    for (let i = 0; i < encoded.length; i++) {
      const alone = (await decodeMp3(encoded[i]!)).samples;
      const start = Math.round((built.chunks[i]!.startMs * 22050) / 1000);
      // After the first silent frame (which carries the previous frame's filter tail) the pause is exact zeros.
      expect(maxAbs(book.samples.subarray(previousEnd + (i > 0 ? 576 : 0), start))).toBeLessThan(1 / 32768); // below one 16-bit step
      // A chunk follows whole frames of silence, so the decoder's state is the same as on its own.
      expect(errorDb(book.samples.subarray(start, start + alone.length), alone)).toBeLessThan(-60);
      previousEnd = start + alone.length;
    }
    // Pauses: 300 ms -> 11 frames (287.3 ms), 800 ms -> 31 frames (809.8 ms).
    expect(built.chunks[2]!.startMs - built.chunks[1]!.endMs).toBeCloseTo((11 * 576 * 1000) / 22050, 6);
    expect(built.chunks[1]!.startMs - built.chunks[0]!.endMs).toBeCloseTo((31 * 576 * 1000) / 22050, 6);
  });

  test('the timeline from measured chunks is the assembled file', () => {
    const measured = encoded.map((b) => measureChunk('mp3', b));
    const laid = layoutEncodedBook(measured.map((m, i) => ({ ...m, pause: pauseKind(i, SCRIPT[i]!.paragraphStart) })), { sampleRate: 22050, quantumSamples: 576, pauses: DEFAULT_PAUSES });
    expect(laid.chunks.map((c) => [c.startMs, c.endMs])).toEqual(built.chunks.map((c) => [c.startMs, c.endMs]));
    expect(laid.totalMs).toBe(built.durationMs);
  });
});

describe('Ogg Opus book', () => {
  let encoded: Uint8Array[];
  let built: Built;
  beforeAll(async () => {
    encoded = [];
    for (const [i, p] of pcm.entries()) encoded.push(await encodeOggOpus(p.pcm, p.sampleRate, 1000 + i));
    built = build('opus', encoded);
  });

  test('music-metadata reads TITLE/ARTIST/ALBUM, CHAPTERxxx comments, the picture and the duration', async () => {
    const meta = await expectTags(built.file, 'audio/ogg', built);
    const vorbis = Object.fromEntries((meta.native.vorbis ?? []).map((t) => [t.id, t.value]));
    expect(vorbis.CHAPTER001NAME).toBe(TAGS.chapterTitles![0]);
    expect(vorbis.CHAPTER002NAME).toBe(TAGS.chapterTitles![1]);
    expect(vorbis.CHAPTER001).toBe('00:00:00.000');
    const [h, m, s] = String(vorbis.CHAPTER002).split(':').map(Number);
    expect((h! * 3600 + m! * 60 + s!) * 1000).toBeCloseTo(built.chapters[1]!.startMs, -1);
    expect(meta.format.codec).toMatch(/opus/i);
  });

  test('libopus decodes one stream: each chunk where the timeline puts it, silence between', async () => {
    const book = await decodeOggOpus(built.file);
    expect(book.errors).toBe(0);
    expect(book.samples.length).toBe(Math.round((built.durationMs * 48000) / 1000));
    for (let i = 0; i < encoded.length; i++) {
      const alone = (await decodeOggOpus(encoded[i]!)).samples;
      const start = Math.round((built.chunks[i]!.startMs * 48000) / 1000);
      // The decoder carries state across chunks (a lossy codec): close, not equal.
      expect(errorDb(book.samples.subarray(start, start + alone.length), alone)).toBeLessThan(-20);
      if (i > 0) {
        // The middle of the designed pause is the silent packets.
        const gapEnd = start - 3840;
        expect(maxAbs(book.samples.subarray(gapEnd - 9000, gapEnd - 1000))).toBeLessThan(1e-3);
      }
    }
  });

  test('a 45 KB cover fits OpusTags on one page; a 150 KB one is left out; both files decode', async () => {
    for (const bytes of [45_000, 150_000]) {
      const cover = { mimeType: 'image/jpeg', data: Uint8Array.from({ length: bytes }, (_, i) => (i * 13) & 0xff) };
      const b = build('opus', encoded, { ...TAGS, cover });
      const meta = await parseBuffer(b.file, { mimeType: 'audio/ogg' }, { duration: true });
      expect(meta.common.title).toBe(TAGS.title);
      if (bytes < 65_000) expect(Buffer.from(meta.common.picture![0]!.data).equals(Buffer.from(cover.data))).toBe(true);
      else expect(meta.common.picture).toBeUndefined();
      // ogg-opus-decoder's demuxer reads OpusTags from page 1 only: a multi-page OpusTags would break it.
      const decoded = await decodeOggOpus(b.file);
      expect(decoded.errors).toBe(0);
      expect(decoded.samples.length).toBe(Math.round((b.durationMs * 48000) / 1000));
    }
    // The general header writer fills every slot size from the minimum up to the byte (over several pages if need be).
    const big = { mimeType: 'image/jpeg', data: new Uint8Array(150_000) };
    const tags = { ...TAGS, cover: big };
    const min = opusHeaderMinBytes({ ...tags, chapters: placeholderChapters(tags) });
    for (let slot = min; slot < min + 600; slot += 23) expect(opusHeaderPages({ channels: 1, preSkip: 312, inputSampleRate: 22050 }, { ...tags, chapters: placeholderChapters(tags) }, 1, slot).length).toBe(slot);
  }, 120_000);

  test('the timeline from measured chunks is the assembled file', () => {
    const measured = encoded.map((b) => measureChunk('opus', b));
    const laid = layoutEncodedBook(measured.map((m, i) => ({ ...m, pause: pauseKind(i, SCRIPT[i]!.paragraphStart) })), { sampleRate: 48000, quantumSamples: 960, pauses: DEFAULT_PAUSES });
    expect(laid.chunks.map((c) => [c.startMs, c.endMs])).toEqual(built.chunks.map((c) => [c.startMs, c.endMs]));
    expect(laid.totalMs).toBe(built.durationMs);
  });
});

describe('WAV book', () => {
  test('byte-exact PCM with the designed pauses, and a LIST/INFO title music-metadata reads', async () => {
    const encoded = pcm.map((p) => encodeWav(p.pcm, { sampleRate: p.sampleRate, channels: 1, bitsPerSample: 16 }));
    const built = build('wav', encoded, { ...TAGS, cover: undefined });
    const parsed = parseWav(built.file);
    const fmt = { sampleRate: 22050, channels: 1, bitsPerSample: 16 } as const;
    const laid = layoutTimeline(SCRIPT.map((s, i) => ({ index: i, paragraphStart: s.paragraphStart, pcmBytes: pcm[i]!.pcm.length })), fmt);
    const expected = new Uint8Array(laid.dataBytes);
    laid.placed.forEach((p, i) => expected.set(pcm[i]!.pcm, p.pcmOffset));
    expect(Buffer.from(parsed.pcm).equals(Buffer.from(expected))).toBe(true);
    const meta = await parseBuffer(built.file, { mimeType: 'audio/wav' });
    expect(meta.common.title).toBe(TAGS.title);
    expect(meta.common.artist).toBe(TAGS.artist);
    expect(meta.format.duration! * 1000).toBeCloseTo(built.durationMs, 0);
  });
});

describe('a 10-hour book', () => {
  // 3,280 appends of one 11 s chunk: the header's duration and chapter times
  // must match the timeline at the end (no drift from rounding pauses).
  async function longBook(format: 'mp3' | 'opus') {
    const all = new Uint8Array(pcm.reduce((n, p) => n + p.pcm.length, 0));
    let o = 0;
    for (const p of pcm) {
      all.set(p.pcm, o);
      o += p.pcm.length;
    }
    const chunk = format === 'mp3' ? await encodeMp3(all, 22050) : await encodeOggOpus(all, 22050, 9);
    const count = 3280;
    const chapterEvery = 40;
    const titles = Array.from({ length: count / chapterEvery }, (_, i) => `Chapter ${i + 1}`);
    const tags: BookTags = { ...TAGS, chapterTitles: titles };
    const w = bookWriter(format);
    const slot = w.slotBytes(tags);
    let state = w.start(tags, slot, 77);
    const kept: Uint8Array[] = [];
    const starts: number[] = [];
    const pauses = Array.from({ length: count }, (_, i) => pauseKind(i, i % 3 === 0));
    for (let i = 0; i < count; i++) {
      const r = w.append(state, chunk, pauses[i]!, i === count - 1, DEFAULT_PAUSES);
      state = r.state;
      if (i % chapterEvery === 0) starts.push(r.startMs);
      if (i < 2 || i === count - 1) kept.push(r.bytes);
    }
    const durationMs = w.durationMs(state);
    const m = measureChunk(format, chunk);
    const laid = layoutEncodedBook(pauses.map((pause) => ({ ...m, pause })), { sampleRate: m.sampleRate, quantumSamples: m.quantumSamples, pauses: DEFAULT_PAUSES });
    expect(durationMs).toBeGreaterThan(10 * 3600 * 1000);
    expect(laid.totalMs).toBe(durationMs);
    starts.forEach((s, c) => expect(laid.chunks[c * chapterEvery]!.startMs).toBe(s));
    const chapters = titles.map((title, c) => ({ title, startMs: starts[c]!, endMs: starts[c + 1] ?? durationMs }));
    const head = w.header(state, tags, chapters, slot);
    // The header plus the first and last pages is enough for a reader to take the duration from.
    const file = new Uint8Array(head.length + kept.reduce((n, k) => n + k.length, 0));
    file.set(head, 0);
    let off = head.length;
    for (const k of kept) {
      file.set(k, off);
      off += k.length;
    }
    return { file, durationMs, chapters, laid };
  }

  test('MP3: the Xing frame count and CHAP times agree with the timeline within 50 ms at the end', async () => {
    const { file, laid, chapters } = await longBook('mp3');
    const meta = await parseBuffer(file, { mimeType: 'audio/mpeg' }, { duration: true });
    expect(Math.abs(meta.format.duration! * 1000 - laid.totalMs)).toBeLessThan(50);
    expect(meta.format.chapters).toHaveLength(82);
    expect(Math.abs(meta.format.chapters![81]!.start * 1000 - chapters[81]!.startMs)).toBeLessThan(1);
  }, 120_000);

  test('Opus: the final granule and CHAPTER082 agree with the timeline within 50 ms at the end', async () => {
    const { file, laid, chapters } = await longBook('opus');
    const meta = await parseBuffer(file, { mimeType: 'audio/ogg' }, { duration: true });
    expect(Math.abs(meta.format.duration! * 1000 - laid.totalMs)).toBeLessThan(50);
    const last = meta.native.vorbis?.find((t) => t.id === 'CHAPTER082')?.value;
    const [h, m, s] = String(last).split(':').map(Number);
    expect(Math.abs((h! * 3600 + m! * 60 + s!) * 1000 - chapters[81]!.startMs)).toBeLessThan(1);
  }, 120_000);
});

describe('chunks from the synthesis service encoder (ffmpeg: MP3 48 kbit/s CBR, Ogg Opus 32 kbit/s at 48 kHz)', () => {
  for (const format of ['mp3', 'opus'] as const) {
    test(`${format}: decoded book holds every chunk where the timeline puts it; music-metadata agrees on duration and chapters`, async () => {
      const encoded: Uint8Array[] = [];
      for (const p of pcm) encoded.push((await encodeSpeech(p.pcm, p.sampleRate, format)).audio);
      const built = build(format, encoded);
      const meta = await expectTags(built.file, format === 'mp3' ? 'audio/mpeg' : 'audio/ogg', built);
      if (format === 'mp3') expect(meta.format.chapters?.map((c) => c.title)).toEqual(TAGS.chapterTitles);
      const decode = format === 'mp3' ? (b: Uint8Array) => decodeMp3(b, { gapless: false }) : decodeOggOpus;
      const book = await decode(built.file);
      expect(book.errors).toBe(0);
      const rate = book.sampleRate;
      expect(book.samples.length).toBe(Math.round((built.durationMs * rate) / 1000));
      for (let i = 0; i < encoded.length; i++) {
        const alone = (await decode(encoded[i]!)).samples;
        const start = Math.round((built.chunks[i]!.startMs * rate) / 1000);
        expect(errorDb(book.samples.subarray(start, start + alone.length), alone), `chunk ${i}`).toBeLessThan(format === 'mp3' ? -60 : -20);
      }
    });
  }
});
