// Where each chunk sits in an assembled (encoded) book: each chunk's encoded
// duration plus the designed pauses, rounded to what the container can hold
// (whole MP3 frames, whole 20 ms Opus packets, whole PCM samples). The
// writers place chunks with these same functions, so the times here are
// exactly what the assembled bytes contain.
import { pauseBeforeMs, type PauseOptions } from '../timeline.ts';

/** A designed pause, or an explicit one in ms (SSML `break`, docs/voice-control.md). */
export type PauseKind = 'none' | 'sentence' | 'paragraph' | { ms: number };

/** The pause before the chunk at output `position`; an explicit `pauseBeforeMs` wins, as in the whole-file timeline. */
export function pauseKind(position: number, paragraphStart: boolean, pauseBeforeMs?: number): PauseKind {
  if (pauseBeforeMs !== undefined) return { ms: pauseBeforeMs };
  if (position === 0) return 'none';
  return paragraphStart ? 'paragraph' : 'sentence';
}

export function pauseMs(kind: PauseKind, pauses: PauseOptions): number {
  if (typeof kind === 'object') return kind.ms;
  if (kind === 'none') return 0;
  return pauseBeforeMs(1, kind === 'paragraph', pauses);
}

/** Samples of one pause, rounded to whole units of `quantumSamples` (576 for MPEG-2 Layer III, 960 for Opus, 1 for PCM). */
export function pauseSamples(kind: PauseKind, pauses: PauseOptions, sampleRate: number, quantumSamples: number): number {
  return Math.round((pauseMs(kind, pauses) * sampleRate) / 1000 / quantumSamples) * quantumSamples;
}

/** One chunk as the container holds it. */
export interface EncodedChunk {
  /** Samples the chunk's encoded frames/packets take in the stream. */
  occupiedSamples: number;
  /** Samples of encoder delay before its sound (Opus pre-skip; 0 for MP3 without a LAME tag, and PCM). */
  leadSamples: number;
  /** Samples of sound the chunk declares (Opus: final granule minus pre-skip; else occupied). */
  playableSamples: number;
  pause: PauseKind;
}

export interface BookClock {
  sampleRate: number;
  /** Whole units a pause is rounded to. */
  quantumSamples: number;
  pauses: PauseOptions;
}

export interface PlacedEncodedChunk {
  startMs: number;
  endMs: number;
  /** Stream sample where the chunk's frames begin (after its pause). */
  startSample: number;
}

/** Start and end of every chunk, and the book's duration as players compute it. */
export function layoutEncodedBook(chunks: readonly EncodedChunk[], clock: BookClock): { chunks: PlacedEncodedChunk[]; totalMs: number } {
  const origin = chunks[0]?.leadSamples ?? 0;
  const toMs = (samples: number) => (samples * 1000) / clock.sampleRate;
  let position = 0;
  let endSample = 0;
  const placed = chunks.map((c) => {
    position += pauseSamples(c.pause, clock.pauses, clock.sampleRate, clock.quantumSamples);
    const sound = position + c.leadSamples - origin;
    const p = { startMs: toMs(sound), endMs: toMs(sound + c.playableSamples), startSample: position };
    endSample = sound + c.playableSamples;
    position += c.occupiedSamples;
    return p;
  });
  return { chunks: placed, totalMs: toMs(endSample) };
}
