// The balancer is a pure choice; each strategy, capacity, and bad options.

import { describe, expect, it } from 'vitest';
import { createBalancer, weightedScore, type BalancerCandidate } from './balancer.ts';

function w(id: string, over: Partial<Omit<BalancerCandidate, 'hasModel'>> & { models?: string[] } = {}): BalancerCandidate {
  const models = new Set(over.models ?? []);
  return { id, inFlight: 0, capacity: 1, avgResponseMs: 100, successRate: 1, ...over, hasModel: (v) => models.has(v) };
}
const task = { voiceId: 'espeak:en-us', priority: 'normal' as const };

describe('createBalancer', () => {
  it('rejects bad options early with TypeErrors', () => {
    expect(() => createBalancer({ strategy: 'random' as never })).toThrow(TypeError);
    expect(() => createBalancer(null as never)).toThrow(TypeError);
    expect(() => createBalancer()).not.toThrow();
  });

  it('round robin rotates and skips full workers', () => {
    const pick = createBalancer({ strategy: 'round-robin' });
    const ws = [w('a'), w('b'), w('c')];
    expect([pick(task, ws), pick(task, ws), pick(task, ws), pick(task, ws)].map((x) => x?.id)).toEqual(['a', 'b', 'c', 'a']);
    ws[1]!.inFlight = 1;
    expect([pick(task, ws), pick(task, ws)].map((x) => x?.id)).toEqual(['c', 'a']);
  });

  it('least connections picks the least loaded relative to capacity', () => {
    const pick = createBalancer({ strategy: 'least-connections' });
    expect(pick(task, [w('a', { inFlight: 2, capacity: 4 }), w('b', { inFlight: 1, capacity: 1 }), w('c', { inFlight: 1, capacity: 4 })])?.id).toBe('c');
  });

  it('weighted uses the seed formula', () => {
    expect(weightedScore(task, w('a', { inFlight: 1, avgResponseMs: 200, successRate: 0.5, models: ['espeak:en-us'] }))).toBe(100 - 10 - 20 + 10 + 30);
    expect(weightedScore({ ...task, priority: 'high' }, w('a'))).toBe(100 - 10 + 20 - 10 + 25);
    const pick = createBalancer({ strategy: 'weighted' });
    // model match (+30 vs -10) outweighs 20 ms of extra latency (-2)
    expect(pick(task, [w('fast', { avgResponseMs: 80 }), w('loaded', { avgResponseMs: 100, models: ['espeak:en-us'] })])?.id).toBe('loaded');
    // a failing worker loses to a healthy one
    expect(pick(task, [w('flaky', { successRate: 0 }), w('ok', { successRate: 1 })])?.id).toBe('ok');
  });

  it('model affinity prefers workers with the model, then any with room', () => {
    const pick = createBalancer({ strategy: 'model-affinity' });
    const ws = [w('a'), w('b', { models: ['espeak:en-us'], inFlight: 1, capacity: 2 }), w('c', { models: ['espeak:en-us'] })];
    expect(pick(task, ws)?.id).toBe('c');
    ws[2]!.inFlight = 1;
    expect(pick(task, ws)?.id).toBe('b');
    ws[1]!.inFlight = 2;
    expect(pick(task, ws)?.id).toBe('a');
  });

  it('returns null when every worker is at capacity', () => {
    for (const strategy of ['round-robin', 'least-connections', 'weighted', 'model-affinity'] as const) {
      expect(createBalancer({ strategy })(task, [w('a', { inFlight: 1 })])).toBeNull();
      expect(createBalancer({ strategy })(task, [])).toBeNull();
    }
  });
});
