// Sentence boundaries of normalized text: Intl.Segmenter's, with the ones it
// gets wrong in practice removed, never crossing a paragraph. Corrections only
// ever MERGE two of its segments (a missed boundary merely makes a chunk
// boundary land elsewhere; a false one cuts a sentence in two):
//
// - no whitespace at the boundary ("example.com/a?b=c", "end.[1]",
//   "Hello!World") — unless the mark before it is a terminal of a script
//   written without spaces ("。", "！", "।"): URLs, e-mails, decimals, money;
// - the sentence so far, or the next segment, has no letter or digit (". . .",
//   a stray quote or bracket): ellipses and punctuation runs;
// - the sentence so far is only a list marker ("1. ", "a) ", "IV. ");
// - it ends with a title or Latin abbreviation ("Mr.", "e.g.", "vs."), with
//   initials ("J. R. R.", "U.S."), or with "No."/"pp."/… before a number;
// - the next segment starts with a lowercase letter, after any opening quotes
//   or brackets: `"Stop!" he cried.`, `Wait... what?` (ICU only keeps these
//   together after ".", not after "!" or "?").
//
// Closing quotes and brackets after the terminal mark stay with the sentence
// they close: ICU already attaches them, and the no-whitespace rule repairs
// the rare case where it does not.

import { BEFORE_NUMBER_ABBREVIATIONS, NEVER_FINAL_ABBREVIATIONS } from './abbreviations.ts';
import { isWhitespace, trimRange } from './chars.ts';

/** A range of UTF-16 offsets `[start, end)`. */
export interface TextRange {
  start: number;
  end: number;
}

// Built when the module loads, on purpose: the first sentence segmenter in an
// isolate costs ~8 ms of CPU (ICU loads its break rules), which in a Worker is
// better spent at startup than inside a request's CPU budget.
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

const HAS_ALNUM = /[\p{L}\p{N}]/u;
const SPACELESS_TERMINAL = /[\p{Sentence_Terminal}]/u;
const CLOSER = /[\p{Pe}\p{Pf}"']/u;
const OPENER = /[\p{Ps}\p{Pi}"'¿¡]/u;
const LIST_MARKER = /^\(?(?:\d{1,3}|[A-Za-z]|[ivxlcdm]{1,6}|[IVXLCDM]{1,6})[.)]$/;
const INITIALS = /^(?:\p{Lu}\.){1,3}$/u;
const LOWERCASE = /\p{Ll}/u;
const DIGIT = /\p{Nd}/u;
/** Longest abbreviation token we look at, with room for an opening quote. */
const TOKEN_WINDOW = 16;
/** How many opening quotes/brackets we skip before the next sentence's first letter. */
const OPENER_WINDOW = 4;

function charAt(text: string, index: number): string {
  return String.fromCodePoint(text.codePointAt(index) ?? 0);
}

/** No whitespace before the boundary, and not after a terminal like "。". */
function isInsideToken(text: string, start: number, boundary: number): boolean {
  if (isWhitespace(text.charCodeAt(boundary - 1))) return false;
  let j = boundary - 1;
  while (j > start && CLOSER.test(text[j]!)) j--;
  const mark = text[j]!;
  if (mark === '.' || mark === '?' || mark === '!') return true;
  return !SPACELESS_TERMINAL.test(charAt(text, j));
}

/** The last whitespace-separated word before `boundary`, without opening quotes/brackets. */
function lastToken(text: string, start: number, boundary: number): string {
  const { start: from, end } = trimRange(text, Math.max(start, boundary - TOKEN_WINDOW - 8), boundary);
  let i = end;
  while (i > from && !isWhitespace(text.charCodeAt(i - 1))) i--;
  if (i === from && from > start && !isWhitespace(text.charCodeAt(from - 1))) return ''; // longer than the window
  while (i < end && OPENER.test(text[i]!)) i++;
  return text.slice(i, end);
}

/** The first character of the next segment after whitespace and a few opening quotes/brackets. */
function nextSentenceStart(segment: string): string {
  let i = 0;
  while (i < segment.length && isWhitespace(segment.charCodeAt(i))) i++;
  for (let n = 0; n < OPENER_WINDOW && i < segment.length && OPENER.test(segment[i]!); n++) i++;
  return i < segment.length ? charAt(segment, i) : '';
}

function isFalseBoundary(text: string, start: number, boundary: number, next: string, sentenceHasAlnum: boolean): boolean {
  if (isInsideToken(text, start, boundary)) return true;
  if (!sentenceHasAlnum || !HAS_ALNUM.test(next)) return true;
  const first = nextSentenceStart(next);
  if (LOWERCASE.test(first)) return true;
  if (boundary - start <= 12) {
    const { start: s, end: e } = trimRange(text, start, boundary);
    if (LIST_MARKER.test(text.slice(s, e))) return true;
  }
  const token = lastToken(text, start, boundary);
  if (token.length === 0 || token.length > TOKEN_WINDOW) return false;
  const lower = token.toLowerCase();
  if (NEVER_FINAL_ABBREVIATIONS.has(lower)) return true;
  if (token !== 'I.' && INITIALS.test(token)) return true;
  return BEFORE_NUMBER_ABBREVIATIONS.has(lower) && DIGIT.test(first);
}

/** A sentence: a trimmed, non-empty range, flagged when it opens a paragraph. */
export interface SentenceRange extends TextRange {
  paragraphStart: boolean;
}

/**
 * Sentences of a block of normalized text (one or more paragraphs joined by
 * "\n\n"), in order. Between two consecutive ranges there is only
 * whitespace. The segmenter runs once per block: creating an ICU iterator
 * costs far more than a short paragraph, so callers batch paragraphs.
 */
export function sentenceRanges(block: string): SentenceRange[] {
  const ranges: SentenceRange[] = [];
  let start = 0;
  let paragraphStart = true;
  let hasAlnum = false;
  const close = (end: number): void => {
    const range = trimRange(block, start, end);
    if (range.end > range.start) {
      ranges.push({ start: range.start, end: range.end, paragraphStart });
      paragraphStart = false;
    }
  };
  for (const { segment, index } of segmenter.segment(block)) {
    if (index === 0) {
      // First segment: nothing to decide.
    } else if (block.charCodeAt(index) === 0x0a) {
      // The second "\n" of a paragraph separator (UAX #29 breaks after each
      // newline): part of the whitespace between paragraphs.
      continue;
    } else if (block.charCodeAt(index - 1) === 0x0a) {
      close(index);
      start = index;
      paragraphStart = true;
      hasAlnum = false;
    } else if (!isFalseBoundary(block, start, index, segment, hasAlnum)) {
      close(index);
      start = index;
      hasAlnum = false;
    }
    hasAlnum ||= HAS_ALNUM.test(segment);
  }
  close(block.length);
  return ranges;
}
