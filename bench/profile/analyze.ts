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

/** A function's name, file and line, as the tables print it. */
export const label = (f: { functionName: string; url: string; lineNumber: number }): string =>
  f.functionName.startsWith('(') ? f.functionName : `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;

type ProfileNode = CpuProfile['nodes'][number];

/** How every reader here takes a profile's samples apart. */
export interface Samples {
  node(i: number): ProfileNode;
  /** Sample i's stack, innermost frame first. */
  stack(i: number): ProfileNode[];
  /** The time sample i stands for (ms). */
  weight(i: number): number;
  /** Sample i is idle, or comes after a gap: either ends the burst before it. */
  breaksBurst(i: number): boolean;
  idle(i: number): boolean;
}

export function readSamples(p: CpuProfile): Samples {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const deltas = p.timeDeltas.map((d) => d / 1000); // µs → ms
  const interval = percentile(deltas.filter((d) => d > 0), 50) || 0.2;
  const node = (i: number) => byId.get(p.samples[i]!)!;
  const idle = (i: number) => node(i).callFrame.functionName === '(idle)';
  return {
    node,
    stack: (i) => {
      const frames: ProfileNode[] = [];
      for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) frames.push(byId.get(id)!);
      return frames;
    },
    // A sample stands for the time until the next one; a long gap means the sampler saw
    // nothing to sample (the thread slept), so a sample counts for at most two intervals.
    weight: (i) => Math.min(deltas[i + 1] ?? interval, 2 * interval),
    breaksBurst: (i) => idle(i) || (deltas[i] ?? 0) > 3 * interval,
    idle,
  };
}

/** A burst: busy samples `from` to `to` (indices) with nothing idle and no gap between them. */
export interface Burst {
  from: number;
  to: number;
  ms: number;
}

export function profileBursts(p: CpuProfile, s: Samples = readSamples(p)): Burst[] {
  const bursts: Burst[] = [];
  let current: Burst | undefined;
  for (let i = 0; i < p.samples.length; i++) {
    if (s.breaksBurst(i)) {
      if (current) bursts.push(current);
      current = undefined;
      if (s.idle(i)) continue;
    }
    current ??= { from: i, to: i, ms: 0 };
    current.to = i;
    current.ms += s.weight(i);
  }
  if (current) bursts.push(current);
  return bursts;
}

export function summarizeProfile(p: CpuProfile): ProfileSummary {
  const s = readSamples(p);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let program = 0;
  let gc = 0;
  for (let i = 0; i < p.samples.length; i++) {
    if (s.idle(i)) continue;
    const w = s.weight(i);
    const f = s.node(i).callFrame;
    busy += w;
    if (f.functionName === '(program)') program += w;
    if (f.functionName === '(garbage collector)') gc += w;
    self.set(label(f), (self.get(label(f)) ?? 0) + w);
    const seen = new Set<string>();
    for (const frame of s.stack(i)) {
      const l = label(frame.callFrame);
      if (l === '(root)' || seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + w);
    }
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    spanMs: (p.endTime - p.startTime) / 1000,
    busyMs: busy,
    programMs: program,
    gcMs: gc,
    bursts: profileBursts(p, s).map((b) => b.ms),
    self: sorted(self),
    inclusive: sorted(inclusive),
  };
}

/** Busy ms of sample `i` if a function whose name matches `names` is on its stack, else 0. */
export function busyInSample(s: Samples, i: number, names: RegExp): number {
  return s.stack(i).some((f) => names.test(f.callFrame.functionName)) ? s.weight(i) : 0;
}

/** Busy ms of the functions whose names match `names` (inclusive, so nested ones are not counted twice within one sample). */
export function busyIn(p: CpuProfile, names: RegExp): number {
  const s = readSamples(p);
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) total += busyInSample(s, i, names);
  return total;
}

export const p50 = (xs: readonly number[]) => percentile(xs, 50);
export const p99 = (xs: readonly number[]) => percentile(xs, 99);
export { sum };
