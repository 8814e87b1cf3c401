// WebVTT and SRT captions from a job's timeline: one cue per sentence chunk,
// with word timings where the engine gave them (inline VTT timestamps, or one
// cue per word when asked).
import type { WordTiming } from './api/types.ts';

export interface CaptionChunk {
  text: string;
  startMs: number;
  endMs: number;
  words?: WordTiming[];
}

export type CaptionLevel = 'sentence' | 'word';

export function toWebVtt(chunks: readonly CaptionChunk[], level: CaptionLevel = 'sentence'): string {
  let out = 'WEBVTT\n\n';
  let n = 0;
  for (const c of chunks) {
    if (level === 'word' && c.words?.length) {
      for (const w of c.words) out += `${++n}\n${ts(c.startMs + w.startMs, '.')} --> ${ts(c.startMs + w.endMs, '.')}\n${escapeVtt(w.text)}\n\n`;
      continue;
    }
    out += `${++n}\n${ts(c.startMs, '.')} --> ${ts(c.endMs, '.')}\n${c.words?.length ? karaoke(c) : escapeVtt(c.text)}\n\n`;
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
    out += `${++n}\n${ts(c.startMs, ',')} --> ${ts(c.endMs, ',')}\n${oneLine(c.text)}\n\n`;
  }
  return out;
}

/** Sentence text with a WebVTT timestamp tag before each timed word. */
function karaoke(c: CaptionChunk): string {
  let out = '';
  let pos = 0;
  for (const w of c.words ?? []) {
    if (w.offset < pos || w.offset > c.text.length) continue;
    out += escapeVtt(c.text.slice(pos, w.offset)) + `<${ts(c.startMs + w.startMs, '.')}>`;
    pos = w.offset;
  }
  return oneLine(out + escapeVtt(c.text.slice(pos)));
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
