// Turns user text into what eSpeak's SSML-mode parser reads as plain text, and
// maps eSpeak's word positions back to offsets in the user's text.
//
// The emscripten build always synthesizes with `espeakSSML`, so `<`, `>` and
// `&` are escaped; control characters (which eSpeak may treat as end of input
// or commands) become spaces; lone surrogates become U+FFFD. eSpeak reports
// `text_position` as a 1-based index in Unicode code points of what it read.

import type { WordTimingTuple } from '../types.ts';

export interface PreparedText {
  /** Text to hand to eSpeak. */
  text: string;
  /** For each code point of `text`: start offset (UTF-16) of the input code point it came from. */
  sourceStart: Int32Array;
  /** For each code point of `text`: UTF-16 length of the input code point it came from. */
  sourceLength: Uint8Array;
  /** Length of the original input (UTF-16 code units). */
  inputLength: number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * A blank line (two newlines: src/core/chunking.ts's PARAGRAPH_BREAK inside a grown chunk) is a
 * paragraph. eSpeak's `break` replaces its own sentence-end pause (~400 ms at the default rate)
 * instead of adding to it, so 900 ms gives a paragraph ~0.5 s more than a sentence, as players
 * do between chunks (0.8 s before a paragraph, 0.3 s before a sentence).
 */
export const PARAGRAPH_BREAK_MS = 900;
const PARAGRAPH_MARKUP = ` <break time="${PARAGRAPH_BREAK_MS}ms"/> `;

function isControl(cp: number): boolean {
  return (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || (cp >= 0x7f && cp <= 0x9f);
}

export function prepareEspeakText(input: string): PreparedText {
  const out: string[] = [];
  const starts: number[] = [];
  const lengths: number[] = [];
  let i = 0;
  while (i < input.length) {
    const cp = input.codePointAt(i) ?? 0;
    const units = cp > 0xffff ? 2 : 1;
    let replacement: string;
    if (cp >= 0xd800 && cp <= 0xdfff) replacement = '\ufffd';
    else if (isControl(cp)) replacement = ' ';
    else if (cp === 0x0a && input.charCodeAt(i + 1) === 0x0a) {
      // Both newlines become the break; positions inside it map to the first.
      for (const ch of PARAGRAPH_MARKUP) {
        out.push(ch);
        starts.push(i);
        lengths.push(1);
      }
      i += 2;
      continue;
    }
    else replacement = ESCAPES[String.fromCodePoint(cp)] ?? String.fromCodePoint(cp);
    for (const ch of replacement) {
      out.push(ch);
      starts.push(i);
      lengths.push(units);
    }
    i += units;
  }
  return { text: out.join(''), sourceStart: Int32Array.from(starts), sourceLength: Uint8Array.from(lengths), inputLength: input.length };
}

/** Maps an eSpeak word (1-based code point position, length in code points) to `[offset, length]` in the input. */
export function mapWordToInput(prepared: PreparedText, textPosition: number, wordLength: number): [number, number] | null {
  const n = prepared.sourceStart.length;
  const first = textPosition - 1;
  if (first < 0 || first >= n) return null;
  const last = Math.min(n - 1, first + Math.max(1, wordLength) - 1);
  const start = prepared.sourceStart[first] ?? 0;
  const end = (prepared.sourceStart[last] ?? start) + (prepared.sourceLength[last] ?? 1);
  return [start, Math.max(0, Math.min(prepared.inputLength, end) - start)];
}

export interface RawWordEvent {
  textPosition: number;
  wordLength: number;
  audioMs: number;
}

/** Word timings from eSpeak's word events: a word ends where the next one starts, the last where the audio ends. */
export function wordTimings(prepared: PreparedText, events: readonly RawWordEvent[], totalMs: number): WordTimingTuple[] {
  const words: WordTimingTuple[] = [];
  for (let k = 0; k < events.length; k++) {
    const ev = events[k]!;
    const mapped = mapWordToInput(prepared, ev.textPosition, ev.wordLength);
    if (!mapped) continue;
    const next = events[k + 1];
    const start = Math.min(ev.audioMs, totalMs);
    const end = Math.max(start, Math.min(next ? next.audioMs : totalMs, totalMs));
    words.push([mapped[0], mapped[1], start, end]);
  }
  return words;
}
