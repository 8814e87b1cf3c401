// Per-worker breaker with the seed's numbers, on a fake clock: opens at a 50%
// failure rate over the window, rejects while open, half-opens after the reset
// timeout, closes on a successful test request; the timeout fails slow calls.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkerBreaker, type BreakerConfig } from './breaker.ts';
import { PoolError } from './errors.ts';

const SEED: BreakerConfig = { kind: 'sampling', failureThreshold: 0.5, windowMs: 30_000, minimumRequests: 4, consecutiveFailures: 5, timeoutMs: 10_000, resetTimeoutMs: 60_000 };
const crash = () => Promise.reject(new PoolError('worker_crashed', 'boom', { retryable: true }));
const ok = () => Promise.resolve('ok');

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('WorkerBreaker', () => {
  it('opens above 50% failures, waits 60 s, then closes after a good test request', async () => {
    const b = new WorkerBreaker(SEED);
    await b.execute(ok);
    await expect(b.execute(crash)).rejects.toMatchObject({ code: 'worker_crashed' });
    await b.execute(ok);
    expect(b.state).toBe('closed');
    await expect(b.execute(crash)).rejects.toThrow();
    await expect(b.execute(crash)).rejects.toThrow(); // 3 of 5 failed > 50%
    expect(b.state).toBe('open');
    expect(b.admits()).toBe(false);
    await expect(b.execute(ok)).rejects.toMatchObject({ code: 'circuit_open' });
    expect(b.msUntilHalfOpen()).toBe(60_000);
    vi.advanceTimersByTime(59_999);
    expect(b.admits()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(b.admits()).toBe(true);
    await b.execute(ok);
    expect(b.state).toBe('closed');
  });

  it('does not open on too few requests or on caller mistakes', async () => {
    const b = new WorkerBreaker(SEED);
    await expect(b.execute(crash)).rejects.toThrow();
    await expect(b.execute(crash)).rejects.toThrow();
    expect(b.state).toBe('closed'); // 2 requests < minimumRequests
    const mistake = () => Promise.reject(new PoolError('unknown_voice', 'no such voice'));
    for (let i = 0; i < 10; i++) await expect(b.execute(mistake)).rejects.toMatchObject({ code: 'unknown_voice' });
    expect(b.state).toBe('closed');
  });

  it('reopens when the half-open test fails', async () => {
    const b = new WorkerBreaker({ ...SEED, kind: 'consecutive', consecutiveFailures: 2 });
    await expect(b.execute(crash)).rejects.toThrow();
    await expect(b.execute(crash)).rejects.toThrow();
    expect(b.state).toBe('open');
    vi.advanceTimersByTime(60_000);
    await expect(b.execute(crash)).rejects.toMatchObject({ code: 'worker_crashed' });
    expect(b.state).toBe('open');
  });

  it('times out a request after 10 s and counts it as a failure', async () => {
    const b = new WorkerBreaker({ ...SEED, kind: 'consecutive', consecutiveFailures: 1 });
    let aborted = false;
    const p = b.execute(
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new PoolError('worker_timeout', 'abandoned', { retryable: true }));
          });
        }),
    );
    const assertion = expect(p).rejects.toMatchObject({ code: 'worker_timeout' });
    await vi.advanceTimersByTimeAsync(10_000);
    await assertion;
    expect(aborted).toBe(true);
    expect(b.state).toBe('open');
  });
});
