// How long the orchestrator waits for one chunk's synthesis (seed 003): a
// base plus a per-character allowance, clamped. One formula, used everywhere:
//
//   chunkTimeoutMs(n) = clamp(15_000 + 50 * n, 15_000, 60_000)   (n in code points)
//
// The base covers a request's fixed costs (queueing, engine start-up, network
// round trips). Speech runs at about 15 characters per second (~67 ms of audio
// per character), so 50 ms per character lets an engine run at up to ~0.75x
// real time on top of the base: local engines (eSpeak NG, Flite) and cloud
// TTS are many times faster, so a timeout means a stuck engine. With the default
// 500-character chunk limit the longest chunk gets 40 s; the 60 s ceiling only
// matters for callers with larger chunks, and keeps one stuck chunk from
// holding a job for minutes. The job's `overallOrchestratorTimeoutMs` is the
// maximum over its chunks.

import { getTextCharacterCount } from './text/count.ts';

/** Fixed part of every chunk's timeout. */
export const CHUNK_TIMEOUT_BASE_MS = 15_000;
/** Allowance per character (code point) of the chunk. */
export const CHUNK_TIMEOUT_PER_CHAR_MS = 50;
/** Shortest chunk timeout (equal to the base). */
export const CHUNK_TIMEOUT_MIN_MS = 15_000;
/** Longest chunk timeout, whatever the chunk's length. */
export const CHUNK_TIMEOUT_MAX_MS = 60_000;

/** Timeout for synthesizing one chunk of `characterCount` code points. */
export function chunkTimeoutMs(characterCount: number): number {
  if (!Number.isFinite(characterCount) || characterCount < 0) {
    throw new TypeError(`characterCount must be a non-negative number, got ${String(characterCount)}`);
  }
  const raw = CHUNK_TIMEOUT_BASE_MS + CHUNK_TIMEOUT_PER_CHAR_MS * characterCount;
  return Math.min(CHUNK_TIMEOUT_MAX_MS, Math.max(CHUNK_TIMEOUT_MIN_MS, Math.round(raw)));
}

/**
 * The job-wide timeout: the largest chunk timeout among `chunks` (chunk texts,
 * or their character counts). A job without chunks gets CHUNK_TIMEOUT_MIN_MS.
 */
export function overallOrchestratorTimeoutMs(chunks: readonly { text: string }[] | readonly number[]): number {
  let overall = CHUNK_TIMEOUT_MIN_MS;
  for (const chunk of chunks) {
    const count = typeof chunk === 'number' ? chunk : getTextCharacterCount(chunk.text);
    overall = Math.max(overall, chunkTimeoutMs(count));
    if (overall === CHUNK_TIMEOUT_MAX_MS) break;
  }
  return overall;
}
