// The job's internal events, for features that follow a job without touching
// dispatch: the SSE hub, the usage release, and later audiobook assembly and
// webhooks each subscribe a JobListener.
import type { JobStatus } from '../../../core/api/types.ts';
import type { ChunkRow, JobRow, JobStore } from './JobStore.ts';

export const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

export interface JobListener {
  /** A chunk's audio is in R2 and its row is completed (called once per completion); `audio` is those bytes when the answer carried them. */
  chunkCompleted?(row: ChunkRow, audio?: Uint8Array): void;
  /** The job reached a terminal status (once per status in this object instance). */
  jobSettled?(job: JobRow): void;
  /** The job's state and audio are being removed (delete or expiry). */
  jobRemoved?(jobId: string): void;
}

export class JobEvents {
  private readonly listeners: JobListener[] = [];
  private readonly store: JobStore;
  /** The terminal status last announced, so listeners hear each settlement once. */
  private announced: JobStatus | null = null;

  constructor(store: JobStore) {
    this.store = store;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: JobListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Chunk `index` was just marked completed: tell listeners, then settle if that ended the job. */
  chunkCompleted(index: number, audio?: Uint8Array): void {
    const row = this.store.chunk(index);
    if (row) this.each((l) => l.chunkCompleted?.(row, audio));
    this.settledIfTerminal();
  }

  /** Announces the job's terminal status if it has one and it was not announced yet. */
  settledIfTerminal(): void {
    const job = this.store.job();
    if (!job || !TERMINAL.has(job.status) || this.announced === job.status) return;
    this.announced = job.status;
    this.each((l) => l.jobSettled?.(job));
  }

  jobRemoved(jobId: string): void {
    this.each((l) => l.jobRemoved?.(jobId));
    this.announced = null;
  }

  /** One listener's failure must not stop the others, nor the job. */
  private each(call: (l: JobListener) => void): void {
    for (const l of [...this.listeners]) {
      try {
        call(l);
      } catch (e) {
        console.warn('job listener failed', String(e));
      }
    }
  }
}
