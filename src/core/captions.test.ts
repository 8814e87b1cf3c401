// Captions read back with the W3C validator's WebVTT parser (webvtt-parser):
// a chunk of several sentences gives one valid cue per sentence, timed by its
// words (or by characters without them), with each word's timestamp inside
// its own sentence's cue; SRT has the same cues; word level is one cue a word.
import { createRequire } from 'node:module';
import { WebVTTParser, type WebVTTCue } from 'webvtt-parser';
import { describe, expect, it } from 'vitest';
import type { WordTiming } from './api/types.ts';
import { toSrt, toWebVtt, type CaptionChunk } from './captions.ts';

/** The full entity table: the parser's built-in subset lacks the `;` forms (`&amp;`). */
const ENTITIES = createRequire(import.meta.url)('webvtt-parser/html-entities.json') as Record<string, string>;
const ONE = 'It is a truth universally acknowledged. A single man must be in want of a wife! Is he? Yes.';
const TWO = 'However little known the feelings may be. This truth is well fixed.';

/** Word timings as eSpeak gives them: 60 ms per character, 300 ms of silence after each sentence. */
function engine(text: string): { words: WordTiming[]; durationMs: number } {
  const words: WordTiming[] = [];
  let t = 0;
  for (const m of text.matchAll(/\S+/g)) {
    words.push({ text: m[0].replace(/[.!?]$/, ''), offset: m.index, startMs: t, endMs: t + 60 * m[0].length });
    t += 60 * m[0].length + (/[.!?]$/.test(m[0]) ? 300 : 80);
  }
  return { words, durationMs: t };
}

function placed(withWords: boolean): CaptionChunk[] {
  const a = engine(ONE);
  const b = engine(TWO);
  const pauseMs = 500;
  return [
    { text: ONE, startMs: 0, endMs: a.durationMs, ...(withWords ? { words: a.words } : {}) },
    { text: TWO, startMs: a.durationMs + pauseMs, endMs: a.durationMs + pauseMs + b.durationMs, ...(withWords ? { words: b.words } : {}) },
  ];
}

function parse(vtt: string): WebVTTCue[] {
  const { cues, errors } = new WebVTTParser(ENTITIES).parse(vtt, 'metadata');
  expect(errors).toEqual([]);
  return cues;
}

const plain = (c: WebVTTCue): string => c.tree.children.filter((n) => n.type === 'text').map((n) => n.value).join('');
const stamps = (c: WebVTTCue): number[] => c.tree.children.filter((n) => n.type === 'timestamp').map((n) => Math.round(Number(n.value) * 1000));
const SENTENCES = ['It is a truth universally acknowledged.', 'A single man must be in want of a wife!', 'Is he?', 'Yes.', 'However little known the feelings may be.', 'This truth is well fixed.'];

describe('sentence captions of multi-sentence chunks', () => {
  it('give one valid WebVTT cue per sentence, each holding its own words’ timestamps', () => {
    const chunks = placed(true);
    const cues = parse(toWebVtt(chunks));
    expect(cues.map(plain)).toEqual(SENTENCES);
    // The cues of a chunk tile it: from its start to its end, each ending where the next begins.
    for (const [chunk, range] of [[chunks[0]!, cues.slice(0, 4)], [chunks[1]!, cues.slice(4)]] as const) {
      expect(Math.round(range[0]!.startTime * 1000)).toBe(chunk.startMs);
      expect(Math.round(range.at(-1)!.endTime * 1000)).toBe(chunk.endMs);
      for (let k = 1; k < range.length; k++) expect(range[k]!.startTime).toBe(range[k - 1]!.endTime);
    }
    // Every word after a sentence's first has its timestamp, at its absolute time, inside its sentence's cue.
    const heard = cues.flatMap(stamps);
    const expected = chunks.flatMap((c) => c.words!.map((w) => c.startMs + w.startMs)).filter((ms) => !cues.some((q) => Math.round(q.startTime * 1000) === ms));
    expect(heard).toEqual(expected);
    for (const c of cues) for (const ms of stamps(c)) expect(ms > c.startTime * 1000 && ms < c.endTime * 1000).toBe(true);
    // A sentence's first word starts in its cue, after the silence that opens it.
    expect(cues[1]!.startTime * 1000).toBeLessThan(chunks[0]!.words!.find((w) => w.text === 'A')!.startMs);
    expect(cues[0]!.endTime * 1000).toBeGreaterThan(chunks[0]!.words!.find((w) => w.text === 'acknowledged')!.endMs);
  });

  it('share a chunk by characters without word timings', () => {
    const chunks = placed(false);
    const cues = parse(toWebVtt(chunks));
    expect(cues.map((c) => c.text)).toEqual(SENTENCES);
    const d = chunks[0]!.endMs;
    expect(Math.round(cues[1]!.startTime * 1000)).toBe(Math.round((d * ONE.indexOf('A single')) / ONE.length));
    expect(Math.round(cues[3]!.endTime * 1000)).toBe(d);
  });

  it('SRT has the same cues, numbered, with comma decimals', () => {
    const chunks = placed(true);
    const vtt = parse(toWebVtt(chunks));
    const blocks = toSrt(chunks).trim().split('\n\n');
    expect(blocks).toHaveLength(SENTENCES.length);
    blocks.forEach((b, i) => {
      const [n, times, text] = b.split('\n');
      expect(n).toBe(String(i + 1));
      const [from, to] = times!.split(' --> ').map((t) => {
        const [h, m, s] = t.replace(',', '.').split(':').map(Number);
        return Math.round(((h! * 60 + m!) * 60 + s!) * 1000);
      });
      expect([from, to]).toEqual([Math.round(vtt[i]!.startTime * 1000), Math.round(vtt[i]!.endTime * 1000)]);
      expect(text).toBe(SENTENCES[i]);
    });
  });

  it('word level is still one cue per timed word', () => {
    const chunks = placed(true);
    const cues = parse(toWebVtt(chunks, 'word'));
    expect(cues.map((c) => c.text)).toEqual(chunks.flatMap((c) => c.words!.map((w) => w.text)));
    expect(Math.round(cues[5]!.startTime * 1000)).toBe(chunks[0]!.words![5]!.startMs);
  });

  it('a blank chunk keeps its one cue, and markup in the text is escaped', () => {
    const cues = parse(toWebVtt([{ text: '', startMs: 0, endMs: 100 }, { text: 'a <b> & c --> d. Next one.', startMs: 200, endMs: 1200 }]));
    expect(cues.map(plain)).toEqual(['', 'a <b> & c --> d.', 'Next one.']);
  });
});
