// Positions in listening time: a job heard end to end is each chunk's audio
// plus the designed pause before it (the timeline of the full-audio download).
// Seeking "15 s back" and the lock screen's position bar both count that way.
import { pauseBeforeMs, type PauseOptions } from '../core/audio/timeline.ts';

export interface ListeningPosition {
  index: number;
  offsetMs: number;
}

/** What the player knows of the job's chunks. */
export interface ChunkTimes {
  total: number;
  pauses: PauseOptions;
  /** Length of chunk `i`'s audio, or null while unknown (not synthesized yet). */
  durationMs(i: number): number | null;
  /** Whether chunk `i` starts a paragraph, or null while it is not synthesized. */
  paragraphStart(i: number): boolean | null;
}

/** `here` moved by `deltaMs` of listening time, within what is synthesized. */
export function moveBy(here: ListeningPosition, deltaMs: number, t: ChunkTimes): ListeningPosition {
  let index = here.index;
  let offset = here.offsetMs + deltaMs;
  while (offset < 0 && index > 0) {
    const pause = pauseBeforeMs(index, t.paragraphStart(index) ?? false, t.pauses);
    index--;
    offset += (t.durationMs(index) ?? 0) + pause;
  }
  for (;;) {
    const d = t.durationMs(index);
    if (d === null || offset < d) break;
    const nextStarts = index + 1 < t.total ? t.paragraphStart(index + 1) : null;
    if (nextStarts === null) {
      offset = Math.max(0, d - 1); // the end of what is synthesized
      break;
    }
    offset = Math.max(0, offset - d - pauseBeforeMs(index + 1, nextStarts, t.pauses));
    index++;
  }
  return { index, offsetMs: Math.max(0, offset) };
}

/** Listening time up to `here`, and of the whole job (null while a chunk's length is unknown). */
export function timelineAt(here: ListeningPosition, t: ChunkTimes): { positionMs: number; durationMs: number | null } {
  let positionMs = 0;
  let durationMs: number | null = 0;
  for (let i = 0; i < t.total; i++) {
    const pause = pauseBeforeMs(i, t.paragraphStart(i) ?? false, t.pauses);
    const d = t.durationMs(i);
    if (i < here.index) positionMs += pause + (d ?? 0);
    else if (i === here.index) positionMs += pause + here.offsetMs;
    durationMs = d === null || durationMs === null ? null : durationMs + pause + d;
  }
  return { positionMs, durationMs };
}
