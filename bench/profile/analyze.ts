// Reads a V8 CPU profile of one isolate: busy time (not "(idle)"), its split
// into JS / "(program)" (the runtime's native work on the isolate's thread) /
// "(garbage collector)", busy bursts (runs of busy samples: one burst is one
// synchronous stretch of an invocation, between its awaits), and where the
// busy time goes by function (self and inclusive).
import type { CpuProfile } from './inspector.ts';
import { percentile, sum } from '../compare/stats.ts';

export interface ProfileSummary {
  /** Wall time the profile covered (ms). */
  spanMs: number;
  /** Busy time: every sample not "(idle)" (ms). */
  busyMs: number;
  programMs: number;
  gcMs: number;
  /** Durations of busy bursts (ms), in order. */
  bursts: number[];
  /** Self time by function (ms), largest first. */
  self: [string, number][];
  /** Inclusive time by function (ms; a function counts once per sample), largest first. */
  inclusive: [string, number][];
}

const label = (f: { functionName: string; url: string; lineNumber: number }): string =>
  f.functionName.startsWith('(') ? f.functionName : `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;

export function summarizeProfile(p: CpuProfile): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const deltas = p.timeDeltas.map((d) => d / 1000); // µs → ms
  const interval = percentile(deltas.filter((d) => d > 0), 50) || 0.2;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const bursts: number[] = [];
  let burst = 0;
  let busy = 0;
  let program = 0;
  let gc = 0;
  for (let i = 0; i < p.samples.length; i++) {
    // A sample stands for the time until the next one; a long gap means the sampler saw
    // nothing to sample (the thread slept), so a sample counts for at most two intervals.
    const w = Math.min(deltas[i + 1] ?? interval, 2 * interval);
    const node = byId.get(p.samples[i]!)!;
    const name = node.callFrame.functionName;
    const gap = (deltas[i] ?? 0) > 3 * interval;
    if (name === '(idle)' || gap) {
      if (burst > 0) bursts.push(burst);
      burst = 0;
      if (name === '(idle)') continue;
    }
    burst += w;
    busy += w;
    if (name === '(program)') program += w;
    if (name === '(garbage collector)') gc += w;
    self.set(label(node.callFrame), (self.get(label(node.callFrame)) ?? 0) + w);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const l = label(byId.get(id)!.callFrame);
      if (l === '(root)' || seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + w);
    }
  }
  if (burst > 0) bursts.push(burst);
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { spanMs: (p.endTime - p.startTime) / 1000, busyMs: busy, programMs: program, gcMs: gc, bursts, self: sorted(self), inclusive: sorted(inclusive) };
}

/** Busy ms of the functions whose names match `names` (inclusive, so nested ones are not counted twice within one sample). */
export function busyIn(p: CpuProfile, names: RegExp): number {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const deltas = p.timeDeltas.map((d) => d / 1000);
  const interval = percentile(deltas.filter((d) => d > 0), 50) || 0.2;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
      if (names.test(byId.get(id)!.callFrame.functionName)) {
        total += Math.min(deltas[i + 1] ?? interval, 2 * interval);
        break;
      }
    }
  }
  return total;
}

export const p50 = (xs: readonly number[]) => percentile(xs, 50);
export const p99 = (xs: readonly number[]) => percentile(xs, 99);
export { sum };
