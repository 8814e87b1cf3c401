// Cutting a range that is longer than the hard maximum into pieces that fit.
// Each piece ends at the last acceptable cut point inside the window of
// `maxChars` code points, trying in order:
// 1. clause punctuation: , ; : ? ! ) ] } … – (plus closing quotes after them)
//    followed by whitespace, an em dash (—), or a CJK clause/terminal mark
//    (、，；：。！？), which need no whitespace after them;
// 2. whitespace (a word boundary between whitespace-separated words);
// 3. a word boundary from Intl.Segmenter (scripts without spaces: CJK, Thai;
//    also "/" in URLs and emoji runs);
// 4. the last grapheme-cluster boundary inside the window, and if a single
//    grapheme is longer than the window, the window end (never inside a
//    surrogate pair).
// Each attempt only scans the window, so the cost is linear in the range.

import { isWhitespace, trimRange } from './chars.ts';
import type { TextRange } from './sentences.ts';
import { advanceCodePoints } from './count.ts';

/** Marks that end a clause when whitespace follows. */
const CLAUSE_BEFORE_SPACE = new Set([',', ';', ':', '?', '!', ')', ']', '}', '…', '–']);
/** Marks that end a clause even with no whitespace after them. */
const CLAUSE_ANYWHERE = new Set(['—', '、', '，', '；', '：', '。', '！', '？', '｡']);
const CLOSING_QUOTES = new Set(['"', '\'', '”', '’', '»', '›']);
/** Code points of context after the window given to the segmenters. */
const LOOKAHEAD = 16;

let wordSegmenter: Intl.Segmenter | undefined;
let graphemeSegmenter: Intl.Segmenter | undefined;

function isClauseCut(text: string, cut: number): boolean {
  const before = text[cut - 1]!;
  if (CLAUSE_ANYWHERE.has(before)) return true;
  if (!isWhitespace(text.charCodeAt(cut))) return false;
  if (CLAUSE_BEFORE_SPACE.has(before)) return true;
  const mark = text[cut - 2];
  return CLOSING_QUOTES.has(before) && mark !== undefined && (mark === '.' || CLAUSE_BEFORE_SPACE.has(mark));
}

function lastClauseCut(text: string, from: number, windowEnd: number): number {
  for (let cut = windowEnd; cut > from + 1; cut--) if (isClauseCut(text, cut)) return cut;
  return -1;
}

function lastSpaceCut(text: string, from: number, windowEnd: number): number {
  for (let cut = windowEnd; cut > from; cut--) if (isWhitespace(text.charCodeAt(cut))) return cut;
  return -1;
}

function lastSegmentBoundary(segmenter: Intl.Segmenter, text: string, from: number, windowEnd: number, end: number): number {
  const sliceEnd = advanceCodePoints(text, windowEnd, LOOKAHEAD, end);
  // `containing` asks ICU for the one segment around the window end: far
  // cheaper than iterating hundreds of segments (a run of 500 dots is 500 words).
  const segment = segmenter.segment(text.slice(from, sliceEnd)).containing(windowEnd - from);
  return segment === undefined || segment.index === 0 ? -1 : from + segment.index;
}

function lastWordCut(text: string, from: number, windowEnd: number, end: number): number {
  wordSegmenter ??= new Intl.Segmenter('en', { granularity: 'word' });
  return lastSegmentBoundary(wordSegmenter, text, from, windowEnd, end);
}

function lastGraphemeCut(text: string, from: number, windowEnd: number, end: number): number {
  graphemeSegmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return lastSegmentBoundary(graphemeSegmenter, text, from, windowEnd, end);
}

/**
 * Pieces of `text[range]` of at most `maxChars` code points each: trimmed,
 * non-empty, in order, with only whitespace between them.
 */
export function cutRange(text: string, range: TextRange, maxChars: number): TextRange[] {
  const pieces: TextRange[] = [];
  const end = range.end;
  let from = range.start;
  for (;;) {
    const windowEnd = advanceCodePoints(text, from, maxChars, end);
    if (windowEnd >= end) break;
    let cut = lastClauseCut(text, from, windowEnd);
    if (cut < 0) cut = lastSpaceCut(text, from, windowEnd);
    if (cut < 0) cut = lastWordCut(text, from, windowEnd, end);
    if (cut < 0) cut = lastGraphemeCut(text, from, windowEnd, end);
    if (cut < 0) cut = windowEnd;
    const piece = trimRange(text, from, cut);
    if (piece.end > piece.start) pieces.push(piece);
    from = trimRange(text, cut, end).start;
  }
  const rest = trimRange(text, from, end);
  if (rest.end > rest.start) pieces.push(rest);
  return pieces;
}
