// Where a reload picks up: the job id in the page URL (?job=<id>) and the
// playback position per job in localStorage.
import { isJobId } from '../core/ids.ts';
import type { Position } from './player.ts';

const KEY_PREFIX = 'lector:position:';
/** Positions older than the server's job lifetime are useless; forget them. */
const MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface SavedPosition extends Position {
  finished: boolean;
  savedAt: number;
}

export function jobIdFromUrl(): string | null {
  const id = new URLSearchParams(location.search).get('job');
  return id && isJobId(id) ? id : null;
}

/** Puts the job in the URL without a navigation, so a reload finds it. */
export function setJobInUrl(jobId: string | null): void {
  const url = new URL(location.href);
  if (jobId) url.searchParams.set('job', jobId);
  else url.searchParams.delete('job');
  history.replaceState(history.state, '', url);
}

export function loadPosition(jobId: string): SavedPosition | null {
  try {
    const raw = localStorage.getItem(KEY_PREFIX + jobId);
    if (!raw) return null;
    const p = JSON.parse(raw) as Partial<SavedPosition>;
    if (!Number.isInteger(p.index) || typeof p.offsetMs !== 'number' || typeof p.savedAt !== 'number') return null;
    if (Date.now() - p.savedAt > MAX_AGE_MS) return null;
    return { index: p.index!, offsetMs: Math.max(0, p.offsetMs), finished: p.finished === true, savedAt: p.savedAt };
  } catch (e) {
    console.warn('resume: cannot read the saved position', e);
    return null;
  }
}

export function savePosition(jobId: string, position: Position, finished: boolean): void {
  const value: SavedPosition = { index: position.index, offsetMs: Math.round(position.offsetMs), finished, savedAt: Date.now() };
  try {
    localStorage.setItem(KEY_PREFIX + jobId, JSON.stringify(value));
    pruneOld();
  } catch (e) {
    console.warn('resume: cannot save the position', e);
  }
}

let pruned = false;
/** Once per page: drops positions of jobs that have expired. */
function pruneOld(): void {
  if (pruned) return;
  pruned = true;
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const key = localStorage.key(i);
    if (!key?.startsWith(KEY_PREFIX)) continue;
    const savedAt = (JSON.parse(localStorage.getItem(key) ?? '{}') as { savedAt?: number }).savedAt ?? 0;
    if (Date.now() - savedAt > MAX_AGE_MS) localStorage.removeItem(key);
  }
}
