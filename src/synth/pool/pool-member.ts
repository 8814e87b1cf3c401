// A worker plus what the pool tracks about it: its circuit breaker, recent
// outcomes, health-check failures and whether it is being replaced.

import type { BalancerCandidate } from './balancer.ts';
import type { WorkerBreaker } from './breaker.ts';
import type { EngineWorker } from './engine-worker.ts';
import { OutcomeWindow } from './stats.ts';
import { WorkerState } from '../types.ts';

export interface PoolMember extends BalancerCandidate {
  worker: EngineWorker;
  breaker: WorkerBreaker;
  outcomes: OutcomeWindow;
  healthFailures: number;
  lastOkAt: number;
  /** Being stopped (recycled, restarted or scaled down): no new work. */
  recycle: boolean;
  restarts: number;
}

export function createPoolMember(worker: EngineWorker, breaker: WorkerBreaker): PoolMember {
  const outcomes = new OutcomeWindow();
  return {
    id: worker.id,
    worker,
    breaker,
    outcomes,
    healthFailures: 0,
    lastOkAt: Date.now(),
    recycle: false,
    restarts: 0,
    get inFlight() {
      return worker.inFlight;
    },
    get capacity() {
      return worker.capacity;
    },
    get avgResponseMs() {
      return outcomes.avgResponseMs;
    },
    get successRate() {
      return outcomes.successRate;
    },
    hasModel: (voiceId) => worker.models.has(voiceId),
  };
}

/** READY or BUSY: the worker takes requests. */
export function isServing(state: WorkerState): boolean {
  return state === WorkerState.READY || state === WorkerState.BUSY;
}
