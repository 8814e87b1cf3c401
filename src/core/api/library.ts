// Types of the library API (`GET /api/tts`, `GET|PUT /api/tts/{id}/position`),
// shared by the orchestrator, the page and tests.
import type { JobStatus } from './types.ts';

/**
 * Where a listener stands in a job: a chunk and milliseconds into its audio.
 * The offset is exact, so in a chunk of many sentences it also names the
 * sentence (src/core/sentences.ts times them); no separate field is needed.
 */
export interface SavedPosition {
  index: number;
  offsetMs: number;
  /** Heard to the end. */
  finished: boolean;
  /** Epoch ms of the save; the newest of the server's and the local copy wins. */
  savedAt: number;
}

/** `PUT /api/tts/{id}/position` body. `savedAt` defaults to the server's now. */
export interface PositionUpdate {
  index: number;
  offsetMs: number;
  finished?: boolean;
  savedAt?: number;
}

/** One job on the caller's shelf, as `GET /api/tts` lists it. */
export interface LibraryItem {
  jobId: string;
  title: string;
  voiceId: string;
  status: JobStatus;
  totalChunks: number;
  completedChunks: number;
  failedChunks: number;
  /** Share of chunks synthesized, 0..1. */
  progress: number;
  /** Length of the whole audio with its pauses, once the job is complete; else null. */
  durationMs: number | null;
  characters: number;
  createdAt: number;
  expiresAt: number;
  position: SavedPosition | null;
  links: { self: string; audio: string; position: string };
}

/** `GET /api/tts?cursor=&limit=`. */
export interface LibraryList {
  jobs: LibraryItem[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}
