// What a job does with one chunk's answer from the backend: complete it, retry
// it later, retry it without spending an attempt (outage), or fail it — and how
// the job-wide hold and outage clocks move. Pure, so every case is unit-tested.
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isUnavailableStatus, type RetryPolicy } from './retry.ts';

/** A failed backend call, as the backend reports it (`RawTtsFailure.error`). */
export interface ChunkFailure {
  code: string;
  status: number;
  retryable: boolean;
  retryAfterMs?: number;
}

/** Job-wide clocks kept across chunks (memory of the job's object; lost on restart, by design). */
export interface HoldState {
  /** No new chunk is dispatched before this time (ms epoch; 0 = none). */
  holdUntil: number;
  /** Retryable failures in a row, across chunks; failures while a hold runs count once. */
  consecutiveFailures: number;
  /** When the backend became unreachable (0 = reachable). */
  outageSince: number;
}

export const NO_HOLD: HoldState = { holdUntil: 0, consecutiveFailures: 0, outageSince: 0 };

export interface RetryDecisionConfig {
  /** Longest job-wide hold (RouterCounter's half-open delay): the job probes soon after a backend is back. */
  holdMaxMs: number;
  /** Longest continuous outage during which attempts are given back. */
  maxOutageMs: number;
  /** Backoff shape; `maxAttempts` is taken from the input. */
  policy?: RetryPolicy;
  /** Jitter source (tests inject a fixed one). */
  random?: () => number;
}

export interface ChunkAnswer {
  /** null: the call succeeded (its audio is in R2). */
  failure: ChunkFailure | null;
  /** This call's attempt number, 1-based. */
  attempt: number;
  maxAttempts: number;
  now: number;
}

export type ChunkDecision =
  | { kind: 'complete' }
  /** Back to the queue; the attempt counts. */
  | { kind: 'retry-later'; notBefore: number }
  /** Back to the queue; the attempt is given back (backend unreachable, within the outage limit). */
  | { kind: 'retry-unavailable'; notBefore: number }
  | { kind: 'fail' };

export interface RetryDecision {
  decision: ChunkDecision;
  state: HoldState;
}

/** Decides a chunk's fate from its answer and moves the job's hold and outage clocks. */
export function decideChunkAnswer(answer: ChunkAnswer, state: HoldState, config: RetryDecisionConfig): RetryDecision {
  const { failure: e, now } = answer;
  if (e === null) {
    // A success resets the failure streak and ends an outage; a running hold stays.
    return { decision: { kind: 'complete' }, state: { holdUntil: state.holdUntil, consecutiveFailures: 0, outageSince: 0 } };
  }
  const policy = config.policy ?? DEFAULT_RETRY_POLICY;
  let { holdUntil, consecutiveFailures, outageSince } = state;
  if (e.retryable) {
    // Hold the whole job, not just this chunk, so a failing backend sees no storm. Failures of
    // chunks in flight together count once; the hold never exceeds the breaker's probe delay.
    if (now >= holdUntil) consecutiveFailures++;
    const hold = Math.min(config.holdMaxMs, backoffDelayMs(consecutiveFailures, policy, e.retryAfterMs, config.random));
    holdUntil = Math.max(holdUntil, now + hold);
  }
  const unavailable = e.retryable && isUnavailableStatus(e.status) && e.code !== 'timeout';
  if (unavailable && outageSince === 0) outageSince = now;
  const next: HoldState = { holdUntil, consecutiveFailures, outageSince };
  if (unavailable && now - outageSince < config.maxOutageMs) {
    return { decision: { kind: 'retry-unavailable', notBefore: holdUntil }, state: next };
  }
  if (e.retryable && answer.attempt < answer.maxAttempts) {
    const delay = backoffDelayMs(answer.attempt, { ...policy, maxAttempts: answer.maxAttempts }, e.retryAfterMs, config.random);
    return { decision: { kind: 'retry-later', notBefore: Math.max(now + delay, holdUntil) }, state: next };
  }
  return { decision: { kind: 'fail' }, state: next };
}
