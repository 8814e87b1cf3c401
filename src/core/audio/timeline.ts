// Where each chunk sits in a job's full audio: designed pauses between
// sentences and longer ones before a paragraph. Shared by the full-audio
// stream, the captions, the web player and the tests, so all agree to the byte.
import { type PcmFormat, silenceBytes } from './wav.ts';

/** Pause between two chunks of one paragraph. */
export const DEFAULT_SENTENCE_PAUSE_MS = 300;
/** Pause before a chunk that starts a paragraph. */
export const DEFAULT_PARAGRAPH_PAUSE_MS = 800;
/** Longest pause a client may ask for. */
export const MAX_PAUSE_MS = 5_000;

export interface PauseOptions {
  sentencePauseMs: number;
  paragraphPauseMs: number;
}

export const DEFAULT_PAUSES: PauseOptions = { sentencePauseMs: DEFAULT_SENTENCE_PAUSE_MS, paragraphPauseMs: DEFAULT_PARAGRAPH_PAUSE_MS };

export interface TimelineChunk {
  index: number;
  paragraphStart: boolean;
  /** PCM bytes of the chunk (its WAV without the header). */
  pcmBytes: number;
  /** An explicit pause (SSML `break`) in place of the designed one, even before the first chunk. */
  pauseBeforeMs?: number;
}

export interface PlacedChunk extends TimelineChunk {
  /** Silence bytes written before this chunk. */
  pauseBytes: number;
  /** Byte offset of the chunk's PCM in the data section. */
  pcmOffset: number;
  startMs: number;
  endMs: number;
}

/** Silence before chunk `position` (0-based position in the output, not the chunk index). */
export function pauseBeforeMs(position: number, paragraphStart: boolean, pauses: PauseOptions): number {
  if (position === 0) return 0;
  return paragraphStart ? pauses.paragraphPauseMs : pauses.sentencePauseMs;
}

/** Lays chunks end to end with the designed pauses. */
export function layoutTimeline(chunks: readonly TimelineChunk[], format: PcmFormat, pauses: PauseOptions = DEFAULT_PAUSES): { placed: PlacedChunk[]; dataBytes: number } {
  const bytesPerMs = (format.sampleRate * format.channels * 2) / 1000;
  let offset = 0;
  const placed = chunks.map((c, position) => {
    const pauseBytes = silenceBytes(c.pauseBeforeMs ?? pauseBeforeMs(position, c.paragraphStart, pauses), format);
    offset += pauseBytes;
    const p: PlacedChunk = { ...c, pauseBytes, pcmOffset: offset, startMs: offset / bytesPerMs, endMs: (offset + c.pcmBytes) / bytesPerMs };
    offset += c.pcmBytes;
    return p;
  });
  return { placed, dataBytes: offset };
}
