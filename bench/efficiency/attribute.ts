// Splits an isolate's CPU profile by the Worker or Durable Object it ran for:
// each sample goes to the first frame (outermost first) whose function is one
// of an entrypoint's, and each busy burst to the entrypoint most of its samples
// went to. An invocation may span several bursts (one per await), so its CPU
// lies between its largest burst and the sum of its bursts; the mean per
// invocation (busy time ÷ the Tail Worker's count) is exact up to sampling.
import type { CpuProfile } from '../profile/inspector.ts';
import { percentile } from '../compare/stats.ts';
import type { InvocationCounts } from '../compare/traces.ts';

export interface EntrypointCpu {
  entrypoint: string;
  busyMs: number;
  bursts: number[];
  /** Invocations of this entrypoint in the same window (Tail Worker), when known. */
  invocations: number;
}

/** Which entrypoint a function belongs to, by its name (wrangler dev bundles without minifying). */
const GROUPS: [string, RegExp, (c: InvocationCounts) => number][] = [
  ['RouterCounter', /^(acquireMany|acquire|reportMany|report|acquireBlock|reportBlock|record|loadOnce|admitsIn)$/, (c) => sumKeys(c, /^RouterCounter\./)],
  [
    'TtsJobDurableObject alarm (dispatch, answers, events)',
    /^(alarm|advance|pump|runChunk|applyAnswer|callBackend|flushOutcomes|recordOutcome|reschedule|stepAssembly|advanceSplitting|schedule|chunkCompleted|sendNext|sendChunk|pull|enqueue)$/,
    (c) => sumKeys(c, /^TtsJobDurableObject\.(scheduledTime|alarm)/),
  ],
  ['TtsJobDurableObject RPC and SSE fetch', /^(initializeJob|create|getJobState|getAudioChunkMetadata|getAudioPlan|stats|open|markSentenceAsProcessed)$/, (c) => sumKeys(c, /^TtsJobDurableObject\.(?!scheduledTime|alarm)/)],
  ['BackendEntrypoint', /^(synthesize|synthesizeChunk|backends|voiceLimits|voices)$/, (c) => c.backendCalls],
];

function sumKeys(c: InvocationCounts, key: RegExp): number {
  return Object.entries(c.byEntrypoint).reduce((a, [k, n]) => (key.test(k) ? a + n : a), 0);
}

export function attributeBursts(p: CpuProfile, counts: InvocationCounts): EntrypointCpu[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const deltas = p.timeDeltas.map((d) => d / 1000);
  const interval = percentile(deltas.filter((d) => d > 0), 50) || 0.2;
  const OTHER = 'other (Worker fetch, runtime glue, unattributed)';
  const out = new Map<string, EntrypointCpu>();
  const entry = (name: string): EntrypointCpu => {
    let e = out.get(name);
    if (!e) {
      const g = GROUPS.find(([n]) => n === name);
      out.set(name, (e = { entrypoint: name, busyMs: 0, bursts: [], invocations: g ? g[2](counts) : NaN }));
    }
    return e;
  };
  const groupOf = (leaf: number): string => {
    const chain: string[] = [];
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) chain.push(byId.get(id)!.callFrame.functionName);
    for (let i = chain.length - 1; i >= 0; i--) {
      const g = GROUPS.find(([, re]) => re.test(chain[i]!));
      if (g) return g[0];
    }
    return OTHER;
  };
  let burst = new Map<string, number>();
  const endBurst = () => {
    let best = '';
    let total = 0;
    for (const [g, ms] of burst) {
      total += ms;
      if (!best || ms > burst.get(best)!) best = g;
    }
    if (total > 0) entry(best).bursts.push(total);
    burst = new Map();
  };
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!)!;
    const idle = node.callFrame.functionName === '(idle)';
    if (idle || (deltas[i] ?? 0) > 3 * interval) endBurst();
    if (idle) continue;
    const w = Math.min(deltas[i + 1] ?? interval, 2 * interval);
    const g = groupOf(node.id);
    entry(g).busyMs += w;
    burst.set(g, (burst.get(g) ?? 0) + w);
  }
  endBurst();
  return [...out.values()].sort((a, b) => b.busyMs - a.busyMs);
}
