// The sentences inside one chunk: their character spans in the chunk's shown
// text (the splitter's own sentence boundaries, so a chunk of many sentences
// is heard, highlighted, captioned and sought sentence by sentence), and when
// each is heard in the chunk's audio: from the word timings where the engine
// gave them, else in proportion to characters over the chunk's duration.
import type { WordTiming } from './api/types.ts';
import { sentenceRanges } from './text/sentences.ts';

/** One sentence of a chunk: UTF-16 offsets `[start, end)` into the chunk's `text`, trimmed. */
export interface SentenceSpan {
  start: number;
  end: number;
  /** It opens a paragraph inside the chunk (always true for the first span). */
  paragraphStart: boolean;
}

/** When a sentence is heard, in milliseconds from the start of its chunk's audio. */
export interface SentenceTime {
  startMs: number;
  endMs: number;
}

/**
 * The sentences of a chunk's text, in order; only whitespace lies between two
 * of them and around them. A text with no sentence boundary is one span; a
 * blank text has none.
 */
export function chunkSentences(text: string): SentenceSpan[] {
  const spans = sentenceRanges(text).map((r) => ({ start: r.start, end: r.end, paragraphStart: r.paragraphStart }));
  if (spans.length > 0) spans[0]!.paragraphStart = true;
  return spans;
}

/** Index of the span holding character `offset` (a gap belongs to the span before it). */
export function sentenceOfOffset(spans: readonly SentenceSpan[], offset: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spans[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Start and end of each sentence in a chunk of `durationMs`. They tile the
 * chunk: the first starts at 0, each ends where the next starts, the last ends
 * at `durationMs`; times never decrease. A sentence with a timed word starts
 * in the silence before its first word (midway from the previous sentence's
 * last word); one without is placed by its first character's share of the text
 * between the nearest known times.
 */
export function sentenceTimes(spans: readonly SentenceSpan[], textLength: number, durationMs: number, words: readonly WordTiming[] = []): SentenceTime[] {
  const n = spans.length;
  if (n === 0) return [];
  const total = Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0;
  const clamp = (ms: number): number => Math.min(total, Math.max(0, ms));
  const firstWord: (WordTiming | undefined)[] = new Array(n);
  const lastWord: (WordTiming | undefined)[] = new Array(n);
  for (const w of words) {
    if (!Number.isFinite(w.startMs) || !Number.isFinite(w.endMs) || !(w.offset >= 0)) continue;
    const k = sentenceOfOffset(spans, w.offset);
    if (!firstWord[k] || w.offset < firstWord[k]!.offset) firstWord[k] = w;
    if (!lastWord[k] || w.offset >= lastWord[k]!.offset) lastWord[k] = w;
  }
  // Known starts (anchors): the chunk's start, and every sentence with a timed first word.
  const starts: (number | null)[] = new Array(n).fill(null);
  starts[0] = 0;
  for (let k = 1; k < n; k++) {
    const first = firstWord[k];
    if (!first) continue;
    const before = lastWord[k - 1]?.endMs;
    starts[k] = clamp(before !== undefined && before <= first.startMs ? (before + first.startMs) / 2 : first.startMs);
  }
  // The rest by characters, between the anchors around them (the end of the text is one).
  const end = Math.max(textLength, spans[n - 1]!.end);
  let prev = 0;
  for (let k = 1; k < n; k++) {
    if (starts[k] !== null) {
      prev = k;
      continue;
    }
    let next = k + 1;
    while (next < n && starts[next] === null) next++;
    const p0 = prev === 0 ? 0 : spans[prev]!.start;
    const t0 = starts[prev]!;
    const p1 = next < n ? spans[next]!.start : end;
    const t1 = next < n ? starts[next]! : total;
    starts[k] = clamp(p1 > p0 ? t0 + ((t1 - t0) * (spans[k]!.start - p0)) / (p1 - p0) : t0);
  }
  const out: SentenceTime[] = [];
  let last = 0;
  for (let k = 0; k < n; k++) {
    last = Math.max(last, starts[k]!);
    out.push({ startMs: last, endMs: total });
    if (k > 0) out[k - 1]!.endMs = last;
  }
  return out;
}

/** Index of the sentence heard at `offsetMs` into the chunk (0 before the first). */
export function sentenceAtTime(times: readonly SentenceTime[], offsetMs: number): number {
  let found = 0;
  for (let k = 1; k < times.length; k++) {
    if (times[k]!.startMs <= offsetMs) found = k;
    else break;
  }
  return found;
}
