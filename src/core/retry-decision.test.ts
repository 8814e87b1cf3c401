import { describe, expect, it } from 'vitest';
import { type ChunkFailure, decideChunkAnswer, type HoldState, NO_HOLD, type RetryDecisionConfig } from './retry-decision.ts';

// random() = 1 makes the jittered backoff its full exponential value: base 500 ms doubling.
const CONFIG: RetryDecisionConfig = { holdMaxMs: 5_000, maxOutageMs: 900_000, random: () => 1 };
const NOW = 1_000_000;

const f = (status: number, over: Partial<ChunkFailure> = {}): ChunkFailure => ({
  code: status === 0 ? 'backend_unavailable' : `http_${status}`,
  status,
  retryable: status === 0 || status === 408 || status === 429 || status >= 500,
  ...over,
});
const timeout: ChunkFailure = { code: 'timeout', status: 0, retryable: true };

function decide(failure: ChunkFailure | null, attempt = 1, state: HoldState = NO_HOLD, maxAttempts = 5, now = NOW) {
  return decideChunkAnswer({ failure, attempt, maxAttempts, now }, state, CONFIG);
}

describe('decideChunkAnswer', () => {
  it('success: complete, the streak and the outage end, a running hold stays', () => {
    const r = decide(null, 3, { holdUntil: NOW + 700, consecutiveFailures: 4, outageSince: NOW - 10 });
    expect(r).toEqual({ decision: { kind: 'complete' }, state: { holdUntil: NOW + 700, consecutiveFailures: 0, outageSince: 0 } });
  });

  it('non-retryable 4xx: fail at once, no hold, no outage', () => {
    for (const status of [400, 401, 404, 413, 422]) {
      expect(decide(f(status), 1)).toEqual({ decision: { kind: 'fail' }, state: NO_HOLD });
    }
  });

  it('retryable 429/500 with attempts left: retry later after the larger of own backoff and the job hold', () => {
    // attempt 1 → own backoff 500; first failure → hold 500.
    expect(decide(f(500), 1)).toEqual({ decision: { kind: 'retry-later', notBefore: NOW + 500 }, state: { holdUntil: NOW + 500, consecutiveFailures: 1, outageSince: 0 } });
    // attempt 3 → own backoff 2000 exceeds the hold.
    expect(decide(f(429), 3).decision).toEqual({ kind: 'retry-later', notBefore: NOW + 2_000 });
  });

  it('Retry-After is honoured by both the chunk and the hold (the hold capped at holdMaxMs)', () => {
    const r = decide(f(429, { retryAfterMs: 8_000 }), 1);
    expect(r.decision).toEqual({ kind: 'retry-later', notBefore: NOW + 8_000 });
    expect(r.state.holdUntil).toBe(NOW + 5_000);
  });

  it('retryable failure on the last attempt: fail', () => {
    const r = decide(f(500), 5);
    expect(r.decision).toEqual({ kind: 'fail' });
    expect(r.state.consecutiveFailures).toBe(1);
  });

  it('a timeout is retryable but never an outage: it spends attempts', () => {
    expect(decide(timeout, 1)).toEqual({ decision: { kind: 'retry-later', notBefore: NOW + 500 }, state: { holdUntil: NOW + 500, consecutiveFailures: 1, outageSince: 0 } });
    expect(decide(timeout, 5).decision).toEqual({ kind: 'fail' });
  });

  it('unreachable (0, 502, 503, 504): retry without spending the attempt, even on the last one; the outage clock starts', () => {
    for (const status of [0, 502, 503, 504]) {
      const r = decide(f(status), 5);
      expect(r.decision).toEqual({ kind: 'retry-unavailable', notBefore: NOW + 500 });
      expect(r.state).toEqual({ holdUntil: NOW + 500, consecutiveFailures: 1, outageSince: NOW });
    }
  });

  it('an outage keeps its start time; past maxOutageMs attempts count again, and on the last one the chunk fails', () => {
    const started = NOW - 100_000;
    expect(decide(f(503), 1, { holdUntil: 0, consecutiveFailures: 2, outageSince: started }).state.outageSince).toBe(started);
    const old = { holdUntil: 0, consecutiveFailures: 2, outageSince: NOW - 900_000 };
    expect(decide(f(503), 1, old).decision).toEqual({ kind: 'retry-later', notBefore: NOW + 2_000 });
    expect(decide(f(503), 5, old).decision).toEqual({ kind: 'fail' });
  });

  it('failures during a running hold count once and never shorten it', () => {
    const holding: HoldState = { holdUntil: NOW + 3_000, consecutiveFailures: 2, outageSince: 0 };
    const r = decide(f(500), 1, holding);
    expect(r.state).toEqual({ holdUntil: NOW + 3_000, consecutiveFailures: 2, outageSince: 0 });
    expect(r.decision).toEqual({ kind: 'retry-later', notBefore: NOW + 3_000 });
  });

  it('after the hold ends the streak grows and the hold doubles up to holdMaxMs', () => {
    let state: HoldState = NO_HOLD;
    const holds: number[] = [];
    for (let i = 0; i < 6; i++) {
      const now = NOW + i * 10_000;
      state = decide(f(500), 1, state, 5, now).state;
      holds.push(state.holdUntil - now);
    }
    expect(holds).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(state.consecutiveFailures).toBe(6);
  });

  it('a non-retryable failure leaves the hold and outage clocks alone', () => {
    const s: HoldState = { holdUntil: NOW + 100, consecutiveFailures: 3, outageSince: NOW - 5 };
    expect(decide(f(400), 1, s)).toEqual({ decision: { kind: 'fail' }, state: s });
  });

  it('maxOutageMs 0 turns outages into ordinary retries', () => {
    const r = decideChunkAnswer({ failure: f(503), attempt: 1, maxAttempts: 5, now: NOW }, NO_HOLD, { ...CONFIG, maxOutageMs: 0 });
    expect(r.decision).toEqual({ kind: 'retry-later', notBefore: NOW + 500 });
  });
});
