// Waiting in a workerd test for a job's own alarms to carry it to a terminal state.
import type { JobState } from '../../core/api/types.ts';
import { TERMINAL } from '../orchestrator/job/JobEvents.ts';
import type { TtsJobDurableObject } from '../orchestrator/job/TtsJobDurableObject.ts';

/** The job's state once it is completed, failed or cancelled (or as it stands after `timeoutMs`); `withChunks` as in getJobState. */
export async function driveToEnd(stub: DurableObjectStub<TtsJobDurableObject>, timeoutMs = 60_000, withChunks = false): Promise<JobState | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await stub.getJobState(withChunks);
    if ((state && TERMINAL.has(state.status)) || Date.now() > deadline) return state;
    await new Promise((r) => setTimeout(r, 100));
  }
}
