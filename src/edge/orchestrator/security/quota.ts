// Admits a new job against its key's limits (429 with Retry-After when over),
// and releases the slot when the job ends.
import { LectorError } from '../../../core/errors.ts';
import type { UsageLimits } from './UsageLimiter.ts';

function limits(env: Env): UsageLimits {
  return {
    maxConcurrentJobs: Number(env.KEY_MAX_CONCURRENT_JOBS || 5),
    maxCharsPerDay: Number(env.KEY_MAX_CHARS_PER_DAY || 3_000_000),
    staleAfterMs: (Number(env.JOB_TTL_SECONDS || 86_400) + 60) * 1000,
  };
}

function limiter(env: Env, keyId: string) {
  return env.USAGE_LIMITER.get(env.USAGE_LIMITER.idFromName(keyId));
}

export async function admitJob(env: Env, keyId: string | null, jobId: string, chars: number): Promise<void> {
  if (keyId === null) return;
  const a = await limiter(env, keyId).admit(jobId, chars, limits(env));
  if (!a.ok) throw new LectorError('rate_limited', 429, a.message, { retryAfterSeconds: a.retryAfterSeconds, details: { reason: a.reason } });
}

export async function releaseJob(env: Env, keyId: string | null, jobId: string, started: boolean): Promise<void> {
  if (keyId === null) return;
  const stub = limiter(env, keyId);
  await (started ? stub.release(jobId) : stub.forget(jobId));
}
