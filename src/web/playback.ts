// The player's vocabulary: its options, the chunks it plays, a place in a job,
// and the snapshot of playback the page renders from.
import type { WordTiming } from '../core/api/types.ts';
import { DEFAULT_PAUSES, type PauseOptions } from '../core/audio/timeline.ts';

/** A synthesized chunk the player can fetch. */
export interface PlayerChunk {
  index: number;
  paragraphStart: boolean;
  url: string;
  durationMs: number | null;
  words?: WordTiming[];
}

export interface PlayerOptions {
  /** Designed silence between chunks; the full-audio download uses the same. */
  pauses: PauseOptions;
  /** Seconds of audio kept scheduled ahead of the clock. */
  scheduleAheadS: number;
  /** Chunks fetched and decoded ahead of the last scheduled one. */
  prefetchChunks: number;
  /** Seconds from play/seek to the first sample: room to schedule without a late start. */
  startLeadS: number;
  /** Length of the fade at each chunk edge and at pause/seek, in seconds. */
  fadeS: number;
}

export const DEFAULT_PLAYER_OPTIONS: PlayerOptions = {
  pauses: DEFAULT_PAUSES,
  scheduleAheadS: 10,
  prefetchChunks: 4,
  startLeadS: 0.06,
  fadeS: 0.004,
};

/** A place in the job: a chunk and milliseconds into it. */
export interface Position {
  index: number;
  offsetMs: number;
}

export type PlaybackState = 'idle' | 'buffering' | 'playing' | 'paused' | 'finished';

export interface PlaybackSnapshot {
  state: PlaybackState;
  /** The chunk being heard (during a pause between chunks: the one just heard). */
  index: number;
  /** Milliseconds into that chunk. */
  offsetMs: number;
  /** The sentence of that chunk being heard (0 while the chunk's sentences are unknown). */
  sentence: number;
  /** Where playback would continue from after a pause or a reload. */
  resumeAt: Position;
  /** The sentence `resumeAt` is in. */
  resumeSentence: number;
  /** Index into the chunk's word timings of the word being heard, or -1. */
  wordIndex: number;
  /** Distinct chunks heard to their end. */
  playedChunks: number;
  /** Share of the job heard, 0..1. */
  playedFraction: number;
  /** The AudioContext clock, in seconds. */
  audioTime: number;
  /** AudioContext time the current (or last) run of playback began: its first chunk's scheduled start; -1 before any. */
  scheduledFrom: number;
  /** AudioContext time the last chunk scheduled so far ends; -1 before any. */
  scheduledTo: number;
  /** Times audio was not there when its turn came (a gap beyond the designed pause). */
  underruns: number;
  /** Total milliseconds those chunks started later than their designed slot. */
  lateMs: number;
}
