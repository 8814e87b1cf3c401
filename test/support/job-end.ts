// Waiting for a job on a stack to end, for the tests that create one and then
// look at how it ended.
import type { JobState } from '../../src/core/api/types.ts';

/**
 * Polls the job (with its chunks) every 250 ms until it is completed, failed or
 * cancelled; after `timeoutMs`, returns its state as it is, for the test to judge.
 */
export async function waitForJobEnd(edgeUrl: string, jobId: string, timeoutMs = 120_000): Promise<JobState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = (await (await fetch(`${edgeUrl}/api/tts/${jobId}?include=chunks`)).json()) as JobState;
    if (['completed', 'failed', 'cancelled'].includes(s.status) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
}
