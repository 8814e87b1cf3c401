// WebVTT and SRT captions from a job's timeline: one cue per sentence (a
// chunk of several sentences gives several cues, timed by sentences.ts), with
// word timings where the engine gave them (inline VTT timestamps, or one cue
// per word when asked).
import type { WordTiming } from './api/types.ts';
import { chunkSentences, sentenceOfOffset, sentenceTimes } from './sentences.ts';

/** One chunk placed on the job's timeline; word offsets point into `text`. */
export interface CaptionChunk {
  text: string;
  startMs: number;
  endMs: number;
  words?: WordTiming[];
}

export type CaptionLevel = 'sentence' | 'word';

/** One sentence's cue: its text, its absolute times, and its words with offsets into that text. */
interface SentenceCue {
  text: string;
  startMs: number;
  endMs: number;
  words: WordTiming[];
}

export function toWebVtt(chunks: readonly CaptionChunk[], level: CaptionLevel = 'sentence'): string {
  let out = 'WEBVTT\n\n';
  let n = 0;
  for (const c of chunks) {
    if (level === 'word' && c.words?.length) {
      for (const w of c.words) out += `${++n}\n${ts(c.startMs + w.startMs, '.')} --> ${ts(c.startMs + w.endMs, '.')}\n${escapeVtt(w.text)}\n\n`;
      continue;
    }
    for (const s of sentenceCues(c)) out += `${++n}\n${ts(s.startMs, '.')} --> ${ts(s.endMs, '.')}\n${s.words.length ? karaoke(s) : oneLine(escapeVtt(s.text))}\n\n`;
  }
  return out;
}

export function toSrt(chunks: readonly CaptionChunk[], level: CaptionLevel = 'sentence'): string {
  let out = '';
  let n = 0;
  for (const c of chunks) {
    if (level === 'word' && c.words?.length) {
      for (const w of c.words) out += `${++n}\n${ts(c.startMs + w.startMs, ',')} --> ${ts(c.startMs + w.endMs, ',')}\n${oneLine(w.text)}\n\n`;
      continue;
    }
    for (const s of sentenceCues(c)) out += `${++n}\n${ts(s.startMs, ',')} --> ${ts(s.endMs, ',')}\n${oneLine(s.text)}\n\n`;
  }
  return out;
}

/** The chunk's sentences as cues; a blank chunk keeps one cue of its own. */
function sentenceCues(c: CaptionChunk): SentenceCue[] {
  const spans = chunkSentences(c.text);
  if (spans.length === 0) return [{ text: c.text, startMs: c.startMs, endMs: c.endMs, words: [] }];
  const times = sentenceTimes(spans, c.text.length, c.endMs - c.startMs, c.words);
  const cues: SentenceCue[] = spans.map((s, k) => ({ text: c.text.slice(s.start, s.end), startMs: c.startMs + times[k]!.startMs, endMs: c.startMs + times[k]!.endMs, words: [] }));
  for (const w of c.words ?? []) {
    if (!(w.offset >= 0) || !Number.isFinite(w.startMs)) continue; // a timing that points nowhere tags nothing
    const k = sentenceOfOffset(spans, w.offset);
    cues[k]!.words.push({ ...w, offset: w.offset - spans[k]!.start, startMs: c.startMs + w.startMs, endMs: c.startMs + w.endMs });
  }
  return cues;
}

/** Sentence text with a WebVTT timestamp tag before each timed word (times already absolute). */
function karaoke(s: SentenceCue): string {
  let out = '';
  let pos = 0;
  for (const w of s.words) {
    if (w.offset < pos || w.offset > s.text.length) continue;
    // A tag must lie strictly inside the cue: a word starting in the silence before it keeps no tag.
    if (Math.round(w.startMs) <= Math.round(s.startMs) || Math.round(w.startMs) >= Math.round(s.endMs)) continue;
    out += escapeVtt(s.text.slice(pos, w.offset)) + `<${ts(w.startMs, '.')}>`;
    pos = w.offset;
  }
  return oneLine(out + escapeVtt(s.text.slice(pos)));
}

/** A WebVTT timestamp (hh:mm:ss.mmm). */
export function formatVttTime(ms: number): string {
  return ts(ms, '.');
}

function ts(ms: number, sep: '.' | ','): string {
  const t = Math.max(0, Math.round(ms));
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = Math.floor((t % 60_000) / 1000);
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${sep}${pad(t % 1000, 3)}`;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

function escapeVtt(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/-->/g, '--&gt;');
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
