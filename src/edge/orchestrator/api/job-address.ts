// Which Durable Object holds a job, as seen by one caller. With API keys the
// object is named `<keyId>:<jobId>`, so a job is reachable only with its
// owner's key: another key's request for the same id reaches an empty object,
// which answers "no such job" (404) without creating storage, and leaks
// nothing about the id. Open mode (no keys) names it by the job id alone.
import type { Caller } from '../security/auth.ts';

/** The Durable Object name of `jobId` for `caller`. Key ids never contain `:` (see auth.ts). */
export function jobObjectName(jobId: string, caller: Caller): string {
  return caller.keyId === null ? jobId : `${caller.keyId}:${jobId}`;
}

/** The stub every route uses to reach a job: the only place a job's object is addressed. */
export function jobStub(env: Env, jobId: string, caller: Caller) {
  return env.TTS_JOB_DO.get(env.TTS_JOB_DO.idFromName(jobObjectName(jobId, caller)));
}
