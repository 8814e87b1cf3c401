// Health score (seed formula), outcome windows, latency percentiles, queue order.

import { describe, expect, it } from 'vitest';
import { PriorityQueue } from './queue.ts';
import { healthScore, LatencyWindow, OutcomeWindow } from './stats.ts';

describe('healthScore', () => {
  const base = { successRate: 1, consecutiveFailures: 0, avgResponseMs: 100, silenceMs: 0, healthIntervalMs: 5000 };
  it('is 100 for a healthy, fast, fresh worker', () => expect(healthScore(base)).toBe(100));
  it('follows 100*successRate - min(20*consecutive, 80) - penalties', () => {
    expect(healthScore({ ...base, successRate: 0.9 })).toBe(90);
    expect(healthScore({ ...base, consecutiveFailures: 2 })).toBe(60);
    expect(healthScore({ ...base, consecutiveFailures: 9 })).toBe(20);
    expect(healthScore({ ...base, avgResponseMs: 250 })).toBe(96); // (250-150)/25
    expect(healthScore({ ...base, avgResponseMs: 5000 })).toBe(80); // capped at 20
    expect(healthScore({ ...base, silenceMs: 20_000 })).toBe(90); // (20000-10000)/5000*5
    expect(healthScore({ ...base, successRate: 0, consecutiveFailures: 5 })).toBe(0);
  });
});

describe('OutcomeWindow', () => {
  it('tracks success rate, consecutive failures and mean latency', () => {
    const o = new OutcomeWindow(4);
    expect(o.successRate).toBe(1);
    o.record(true, 100);
    o.record(false, 0);
    o.record(false, 0);
    expect(o.consecutiveFailures).toBe(2);
    expect(o.successRate).toBeCloseTo(1 / 3);
    o.record(true, 200);
    o.record(true, 200);
    expect(o.consecutiveFailures).toBe(0);
    expect(o.successRate).toBe(0.5); // window of 4: F F T T
    expect(o.avgResponseMs).toBeCloseTo(100 * 0.64 + 200 * 0.36);
  });
});

describe('LatencyWindow', () => {
  it('computes percentiles and rate', () => {
    const l = new LatencyWindow(1000, 10_000);
    for (let i = 1; i <= 100; i++) l.record(i, 1000 + i);
    expect(l.percentile(50)).toBe(50);
    expect(l.percentile(99)).toBe(99);
    expect(l.mean()).toBe(50.5);
    expect(l.perSecond(1100)).toBe(10);
    expect(l.perSecond(20_000)).toBe(0);
  });
});

describe('PriorityQueue', () => {
  it('orders high, normal, low and FIFO within a priority', () => {
    const q = new PriorityQueue<{ id: number; priority: 'high' | 'normal' | 'low' }>();
    q.push({ id: 1, priority: 'low' });
    q.push({ id: 2, priority: 'normal' });
    q.push({ id: 3, priority: 'high' });
    q.push({ id: 4, priority: 'normal' });
    const retry = { id: 5, priority: 'normal' as const };
    q.unshift(retry);
    expect([...q].map((x) => x.id)).toEqual([3, 5, 2, 4, 1]);
    expect(q.remove(retry)).toBe(true);
    expect(q.size).toBe(4);
    expect(q.sizeOf('normal')).toBe(2);
    expect(q.peek()?.id).toBe(3);
  });
});
