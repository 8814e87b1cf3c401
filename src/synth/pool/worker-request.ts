// What the pool sends one worker and what it gets back, whatever the protocol.

import type { Priority, WordTimingTuple } from '../types.ts';

/** One synthesis as handed to one worker (an attempt of a PendingSynthesis). */
export interface WorkerSynthesisRequest {
  text: string;
  /** Resolved voice id (`espeak:en-us`). */
  voice: string;
  /** Speaking rate multiplier, 0.25-4.0; absent = the engine's default rate. */
  speed?: number;
  priority: Priority;
  correlationId: string;
  retryCount: number;
}

export interface WorkerAudio {
  /** s16le PCM in the pieces it arrived in (not joined). */
  pcmParts: readonly Uint8Array[];
  pcmBytes: number;
  sampleRate: number;
  engine: string;
  voice: string;
  words: WordTimingTuple[] | null;
  synthMs: number;
}

export interface WorkerHealth {
  rssBytes: number | null;
  served: number;
}
