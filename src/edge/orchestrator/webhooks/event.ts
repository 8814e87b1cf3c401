// What a terminal webhook event says about its job, built the same way from the
// job's row (when the job announces its end) and from its public state (when
// the delivery object's watch finds an end that was never announced to it).
import type { JobStatus } from '../../../core/api/types.ts';

export type WebhookEventType = 'job.completed' | 'job.failed' | 'job.cancelled';

const EVENT_OF: Partial<Record<JobStatus, WebhookEventType>> = { completed: 'job.completed', failed: 'job.failed', cancelled: 'job.cancelled' };

/** The event of a terminal status; undefined for a job still under way. */
export function eventType(status: JobStatus): WebhookEventType | undefined {
  return EVENT_OF[status];
}

export interface JobSummary {
  jobId: string;
  status: JobStatus;
  total: number;
  completed: number;
  failed: number;
  error: string | null;
}

export function eventData(job: JobSummary): Record<string, unknown> {
  const base = `/api/tts/${job.jobId}`;
  return {
    status: job.status,
    totalChunks: job.total,
    completedChunks: job.completed,
    failedChunks: job.failed,
    error: job.error,
    links: { self: base, audio: `${base}/audio` },
  };
}
