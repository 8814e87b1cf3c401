// Load balancing as a pure choice `(task, workers) => worker`: round robin,
// least connections, the seed's weighted score, and model affinity.

import type { Priority } from '../types.ts';

export const BALANCING_STRATEGIES = ['round-robin', 'least-connections', 'weighted', 'model-affinity'] as const;
export type BalancingStrategy = (typeof BALANCING_STRATEGIES)[number];

/** What the balancer needs to know about one candidate worker. */
export interface BalancerCandidate {
  id: string;
  /** Requests in flight on this worker. */
  inFlight: number;
  /** Requests it may hold at once. */
  capacity: number;
  /** Mean response time, ms. */
  avgResponseMs: number;
  /** 0..1 over recent requests. */
  successRate: number;
  /** True when the task's voice is loaded in this worker. */
  hasModel: (voiceId: string) => boolean;
}

export interface BalancerTask {
  voiceId: string;
  priority: Priority;
}

export interface BalancerOptions {
  /** Which algorithm picks the worker (default `weighted`). */
  strategy?: BalancingStrategy;
}

export const BALANCER_DEFAULTS: Required<BalancerOptions> = { strategy: 'weighted' };

export type Balancer = <W extends BalancerCandidate>(task: BalancerTask, workers: readonly W[]) => W | null;

/** The seed's formula. The priority bonus is the same for every worker of one task. */
export function weightedScore(task: BalancerTask, w: BalancerCandidate): number {
  return (
    100 -
    w.inFlight * 10 -
    w.avgResponseMs / 10 +
    w.successRate * 20 +
    (w.hasModel(task.voiceId) ? 30 : -10) +
    (task.priority === 'high' ? 25 : 0)
  );
}

/**
 * Builds a balancer. Candidates are the workers able to take the task (alive,
 * breaker admitting, serving the voice); those at capacity are skipped.
 * Returns null when none has room.
 */
export function createBalancer(options: BalancerOptions = {}): Balancer {
  if (typeof options !== 'object' || options === null) throw new TypeError('balancer options must be an object');
  const { strategy } = { ...BALANCER_DEFAULTS, ...options };
  if (!BALANCING_STRATEGIES.includes(strategy)) {
    throw new TypeError(`unknown balancing strategy ${JSON.stringify(strategy)}; expected one of ${BALANCING_STRATEGIES.join(', ')}`);
  }
  let cursor = 0;

  return <W extends BalancerCandidate>(task: BalancerTask, workers: readonly W[]): W | null => {
    const open = workers.filter((w) => w.inFlight < w.capacity);
    if (open.length === 0) return null;
    switch (strategy) {
      case 'round-robin': {
        // Rotate over all candidates so the turn order is stable as workers fill up.
        for (let k = 0; k < workers.length; k++) {
          const w = workers[(cursor + k) % workers.length]!;
          if (w.inFlight < w.capacity) {
            cursor = (cursor + k + 1) % workers.length;
            return w;
          }
        }
        return null;
      }
      case 'least-connections':
        return minBy(open, (w) => w.inFlight / w.capacity);
      case 'weighted':
        return minBy(open, (w) => -weightedScore(task, w));
      case 'model-affinity': {
        const matching = open.filter((w) => w.hasModel(task.voiceId));
        return minBy(matching.length > 0 ? matching : open, (w) => w.inFlight / w.capacity);
      }
    }
  };
}

/** First item with the lowest key (stable: ties keep input order). */
function minBy<T>(items: readonly T[], key: (item: T) => number): T | null {
  let best: T | null = null;
  let bestKey = Infinity;
  for (const item of items) {
    const k = key(item);
    if (k < bestKey) {
      best = item;
      bestKey = k;
    }
  }
  return best;
}
