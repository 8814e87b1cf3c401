// Per-worker circuit breaker and request timeout, built from cockatiel:
// SamplingBreaker (failure rate over a sliding window) or ConsecutiveBreaker,
// wrapped around an aggressive TimeoutPolicy.

import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  SamplingBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  timeout,
  type CircuitBreakerPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import type { BreakerStateName } from '../types.ts';
import { PoolError } from './errors.ts';

export interface BreakerConfig {
  /** `sampling`: open above `failureThreshold` over `windowMs`; `consecutive`: after `consecutiveFailures` in a row. */
  kind: 'sampling' | 'consecutive';
  /** Failure rate that opens a sampling breaker (seed: 0.5). */
  failureThreshold: number;
  /** Sliding window of a sampling breaker, ms. */
  windowMs: number;
  /** Requests needed inside the window before a sampling breaker may open. */
  minimumRequests: number;
  /** Failures in a row that open a consecutive breaker. */
  consecutiveFailures: number;
  /** Per-request timeout, ms (seed: 10 s). */
  timeoutMs: number;
  /** Time an open breaker waits before letting one test request through, ms (seed: 60 s). */
  resetTimeoutMs: number;
}

/** Errors that count against a worker: crashes, timeouts, engine failures. Caller mistakes do not. */
function isWorkerFault(error: Error): boolean {
  if (error instanceof TaskCancelledError) return true;
  return error instanceof PoolError && error.retryable && error.code !== 'cancelled' && error.code !== 'worker_stopped';
}

export class WorkerBreaker {
  readonly config: BreakerConfig;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly timeoutPolicy: TimeoutPolicy;
  private readonly listeners: ((state: BreakerStateName) => void)[] = [];

  constructor(config: BreakerConfig) {
    this.config = config;
    const breaker =
      config.kind === 'consecutive'
        ? new ConsecutiveBreaker(config.consecutiveFailures)
        : new SamplingBreaker({
            threshold: config.failureThreshold,
            duration: config.windowMs,
            minimumRps: config.minimumRequests / (config.windowMs / 1000),
          });
    this.breaker = circuitBreaker(handleWhen(isWorkerFault), { halfOpenAfter: config.resetTimeoutMs, breaker });
    // abortOnReturn: false - aborting every finished request's signal costs a DOMException each.
    this.timeoutPolicy = timeout(config.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    this.breaker.onStateChange(() => {
      const s = this.state;
      for (const l of this.listeners) l(s);
    });
  }

  get state(): BreakerStateName {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.Open:
        return 'open';
      case CircuitState.HalfOpen:
        return 'half_open';
      case CircuitState.Isolated:
        return 'isolated';
    }
  }

  onStateChange(listener: (state: BreakerStateName) => void): void {
    this.listeners.push(listener);
  }

  /** ms until an open breaker lets a test request through (0 when it would now). */
  msUntilHalfOpen(now = Date.now()): number {
    if (this.breaker.state !== CircuitState.Open) return 0;
    const own = (this.breaker.toJSON() as { ownState: { openedAt?: number } }).ownState;
    return Math.max(0, (own.openedAt ?? 0) + this.config.resetTimeoutMs - now);
  }

  /** Whether a request sent now would be let through. */
  admits(now = Date.now()): boolean {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return true;
      case CircuitState.Open:
        return this.msUntilHalfOpen(now) === 0;
      default:
        return false;
    }
  }

  /** Runs `fn` under the timeout (the configured one, or `timeoutMs` if longer) and the breaker; maps their errors to PoolErrors. */
  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, timeoutMs = this.config.timeoutMs): Promise<T> {
    const limit = Math.max(timeoutMs, this.config.timeoutMs);
    const policy = limit === this.config.timeoutMs ? this.timeoutPolicy : timeout(limit, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    try {
      return await this.breaker.execute(() => policy.execute(({ signal }) => fn(signal)));
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw new PoolError('circuit_open', 'worker circuit breaker is open', { retryable: true, cause: error });
      }
      if (error instanceof TaskCancelledError) {
        throw new PoolError('worker_timeout', `no answer within ${limit} ms`, { retryable: true, cause: error });
      }
      throw error;
    }
  }
}
