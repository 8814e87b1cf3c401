// Sentences inside a chunk: spans from the splitter, times from word timings
// or characters; examples, and properties over arbitrary chunks and timings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WordTiming } from './api/types.ts';
import { planJobChunks } from './chunking.ts';
import { chunkSentences, sentenceAtTime, sentenceOfOffset, sentenceTimes, type SentenceSpan } from './sentences.ts';
import { splitText } from './text/split.ts';

const shown = (text: string, spans: readonly SentenceSpan[]): string[] => spans.map((s) => text.slice(s.start, s.end));

/** Word timings as an engine gives them: each word `msPerChar` per character, `gapMs` between sentences. */
function timed(text: string, spans: readonly SentenceSpan[], msPerChar = 10, gapMs = 200): { words: WordTiming[]; durationMs: number } {
  const words: WordTiming[] = [];
  let t = 0;
  spans.forEach((s, k) => {
    if (k > 0) t += gapMs;
    for (const m of text.slice(s.start, s.end).matchAll(/\S+/g)) {
      words.push({ text: m[0], offset: s.start + m.index, startMs: t, endMs: t + m[0].length * msPerChar });
      t += (m[0].length + 1) * msPerChar;
    }
  });
  return { words, durationMs: t + 50 };
}

describe('chunkSentences', () => {
  it('finds the sentences of a merged chunk, with exact offsets', () => {
    const text = 'Mr. Bennet was among the earliest. He had always intended to visit him! Did he? “Yes,” she said. The end…';
    const spans = chunkSentences(text);
    expect(shown(text, spans)).toEqual(['Mr. Bennet was among the earliest.', 'He had always intended to visit him!', 'Did he?', '“Yes,” she said.', 'The end…']);
    expect(spans.map((s) => s.paragraphStart)).toEqual([true, false, false, false, false]);
  });

  it('gives the same sentences the splitter made the chunk from', () => {
    const novel = Array.from({ length: 60 }, (_, i) => `Sentence number ${i + 1} is short. Mrs. Long said so at 3 p.m. on the 4th!`).join(' ');
    const sentences = splitText(novel, { targetChars: 1 }).map((c) => c.text);
    const chunks = planJobChunks(novel);
    expect(chunks.length).toBeLessThan(sentences.length); // merged after the ramp
    const again = chunks.flatMap((c) => shown(c.text, chunkSentences(c.text)));
    expect(again).toEqual(sentences);
  });

  it('flags paragraphs inside a chunk, and keeps a chunk without a boundary whole', () => {
    const text = 'One paragraph ends here.\n\nAnother begins. And goes on.';
    expect(chunkSentences(text).map((s) => [text.slice(s.start, s.end), s.paragraphStart])).toEqual([
      ['One paragraph ends here.', true],
      ['Another begins.', true],
      ['And goes on.', false],
    ]);
    expect(shown('  a piece of a cut sentence, with no end ', chunkSentences('  a piece of a cut sentence, with no end '))).toEqual(['a piece of a cut sentence, with no end']);
    expect(chunkSentences('')).toEqual([]);
    expect(chunkSentences('  \n ')).toEqual([]);
  });

  it('finds the sentence of a character offset', () => {
    const spans = chunkSentences('First one. Second one. Third.');
    expect([0, 9, 10, 11, 22, 23, 28, 99].map((o) => sentenceOfOffset(spans, o))).toEqual([0, 0, 0, 1, 1, 2, 2, 2]);
  });
});

describe('sentenceTimes', () => {
  const text = 'Short one. A rather longer second sentence. End.';
  const spans = chunkSentences(text);

  it('places sentences in the silence before their first timed word', () => {
    const { words, durationMs } = timed(text, spans);
    const times = sentenceTimes(spans, text.length, durationMs, words);
    const first = (k: number) => words.find((w) => sentenceOfOffset(spans, w.offset) === k)!;
    const last = (k: number) => words.filter((w) => sentenceOfOffset(spans, w.offset) === k).at(-1)!;
    expect(times[0]!.startMs).toBe(0);
    for (const k of [1, 2]) {
      expect(times[k]!.startMs).toBe((last(k - 1).endMs + first(k).startMs) / 2);
      expect(times[k - 1]!.endMs).toBe(times[k]!.startMs);
    }
    expect(times[2]!.endMs).toBe(durationMs);
    // Every word is heard inside its own sentence's time.
    for (const w of words) {
      const t = times[sentenceOfOffset(spans, w.offset)]!;
      expect(w.startMs).toBeGreaterThanOrEqual(t.startMs);
      expect(w.endMs).toBeLessThanOrEqual(t.endMs);
      expect(sentenceAtTime(times, w.startMs)).toBe(sentenceOfOffset(spans, w.offset));
    }
  });

  it('shares the duration by characters without word timings', () => {
    const times = sentenceTimes(spans, text.length, 4800);
    expect(times.map((t) => Math.round(t.startMs))).toEqual([0, Math.round((4800 * spans[1]!.start) / text.length), Math.round((4800 * spans[2]!.start) / text.length)]);
    expect(times[2]!.endMs).toBe(4800);
  });

  it('fills a sentence whose words were dropped between the known ones', () => {
    const { words, durationMs } = timed(text, spans);
    const without = words.filter((w) => sentenceOfOffset(spans, w.offset) !== 1);
    const times = sentenceTimes(spans, text.length, durationMs, without);
    const thirdStart = sentenceTimes(spans, text.length, durationMs, words)[2]!.startMs;
    expect(times[2]!.startMs).toBeCloseTo(without.find((w) => w.offset >= spans[2]!.start)!.startMs, 6); // no last word before it: its own start
    expect(times[1]!.startMs).toBeGreaterThan(0);
    expect(times[1]!.startMs).toBeLessThan(times[2]!.startMs);
    expect(thirdStart).toBeLessThanOrEqual(times[2]!.startMs);
  });

  it('is empty for no sentences, and all zero for an unknown duration', () => {
    expect(sentenceTimes([], 0, 1000)).toEqual([]);
    expect(sentenceTimes(spans, text.length, Number.NaN).every((t) => t.startMs === 0 && t.endMs === 0)).toBe(true);
  });
});

describe('properties', () => {
  const word = fc.constantFrom('the', 'Mr.', 'Darcy', 'said', 'e.g.', '3.14', 'it', '“Yes,”', 'was', 'long-winded', '😀', 'é');
  const sentence = fc.tuple(fc.array(word, { minLength: 1, maxLength: 12 }), fc.constantFrom('.', '!', '?', '…', '."', '', ';')).map(([w, end]) => `${w.join(' ')}${end}`);
  const chunkText = fc.tuple(fc.array(sentence, { minLength: 1, maxLength: 10 }), fc.constantFrom(' ', '  ', '\n\n')).map(([s, sep]) => s.join(sep));

  it('spans are in order, trimmed, and only whitespace lies between and around them', () => {
    fc.assert(
      fc.property(chunkText, (text) => {
        const spans = chunkSentences(text);
        expect(spans.length).toBeGreaterThan(0);
        let pos = 0;
        for (const s of spans) {
          expect(s.start).toBeGreaterThanOrEqual(pos);
          expect(s.end).toBeGreaterThan(s.start);
          expect(text.slice(pos, s.start).trim()).toBe('');
          expect(text.slice(s.start, s.end)).toBe(text.slice(s.start, s.end).trim());
          pos = s.end;
        }
        expect(text.slice(pos).trim()).toBe('');
      }),
    );
  });

  it('times tile [0, durationMs] in order, with or without any word timings', () => {
    const timing = fc.record({ offset: fc.integer({ min: -5, max: 400 }), startMs: fc.double({ min: -100, max: 20_000, noNaN: true }), len: fc.double({ min: 0, max: 2000, noNaN: true }) });
    fc.assert(
      fc.property(chunkText, fc.double({ min: 0, max: 60_000, noNaN: true }), fc.array(timing, { maxLength: 40 }), (text, durationMs, raw) => {
        const spans = chunkSentences(text);
        const words = raw.map((w) => ({ text: 'x', offset: w.offset, startMs: w.startMs, endMs: w.startMs + w.len }));
        for (const times of [sentenceTimes(spans, text.length, durationMs), sentenceTimes(spans, text.length, durationMs, words)]) {
          expect(times).toHaveLength(spans.length);
          expect(times[0]!.startMs).toBe(0);
          expect(times.at(-1)!.endMs).toBe(durationMs);
          times.forEach((t, k) => {
            expect(t.startMs).toBeGreaterThanOrEqual(0);
            expect(t.endMs).toBeGreaterThanOrEqual(t.startMs);
            expect(t.endMs).toBeLessThanOrEqual(durationMs);
            if (k > 0) expect(t.startMs).toBe(times[k - 1]!.endMs);
          });
        }
      }),
    );
  });

  it('with ordered word timings, each word lies inside its sentence', () => {
    fc.assert(
      fc.property(chunkText, fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 500 }), (text, msPerChar, gapMs) => {
        const spans = chunkSentences(text);
        const { words, durationMs } = timed(text, spans, msPerChar, gapMs);
        const times = sentenceTimes(spans, text.length, durationMs, words);
        for (const w of words) {
          const t = times[sentenceOfOffset(spans, w.offset)]!;
          expect(w.startMs).toBeGreaterThanOrEqual(t.startMs);
          expect(w.endMs).toBeLessThanOrEqual(t.endMs);
        }
      }),
    );
  });
});
