// The listening position on the server as well as in localStorage, so it
// follows the listener to another device with the same key. Saves go out when
// the sentence changes (also inside a chunk) or playback stops, at most every few seconds while
// playing, and on pagehide (a keepalive request); the newer of the local and
// the server copy wins when a job is opened.
import type { SavedPosition } from '../core/api/library.ts';
import { fetchServerPosition, putServerPosition } from './api.ts';
import type { Position } from './player.ts';
import { loadPosition } from './resume.ts';

/** Saves while playing at most this often. */
const SERVER_SAVE_EVERY_MS = 5000;

/** The position to open a job at: the newest of the local and the server copy. */
export async function bestPosition(jobId: string): Promise<SavedPosition | null> {
  const local = loadPosition(jobId);
  let remote: SavedPosition | null = null;
  try {
    remote = await fetchServerPosition(jobId);
  } catch (e) {
    console.warn('position: the server copy is unavailable; using the local one', e);
  }
  if (!local) return remote;
  if (!remote) return local;
  return remote.savedAt > local.savedAt ? remote : local;
}

export class ServerPosition {
  private jobId: string | null = null;
  private sent = { index: -1, sentence: -1, finished: false, playing: false, at: 0 };
  private inFlight = false;

  /** A new job is open: forget what was sent for the last one. */
  reset(jobId: string | null): void {
    this.jobId = jobId;
    this.sent = { index: -1, sentence: -1, finished: false, playing: false, at: 0 };
  }

  /** Called on every render: sends when something worth keeping changed (`sentence`: the one `at` is in). */
  maybeSave(at: Position, sentence: number, playing: boolean, finished: boolean, now = Date.now()): void {
    if (!this.jobId || this.inFlight) return;
    const changed = at.index !== this.sent.index || sentence !== this.sent.sentence || finished !== this.sent.finished || playing !== this.sent.playing;
    if (!changed && (!playing || now - this.sent.at < SERVER_SAVE_EVERY_MS)) return;
    this.inFlight = true;
    const jobId = this.jobId;
    this.sent = { index: at.index, sentence, finished, playing, at: now };
    putServerPosition(jobId, { index: at.index, offsetMs: Math.round(at.offsetMs), finished, savedAt: now })
      .catch((e) => console.warn('position: not saved on the server', e))
      .finally(() => (this.inFlight = false));
  }

  /** Saves now, even while the page unloads. */
  flush(at: Position, finished: boolean): void {
    if (!this.jobId) return;
    void putServerPosition(this.jobId, { index: at.index, offsetMs: Math.round(at.offsetMs), finished, savedAt: Date.now() }, true).catch(() => undefined);
  }
}
