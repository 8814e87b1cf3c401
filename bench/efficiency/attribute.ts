// Splits an isolate's CPU profile by the Worker or Durable Object it ran for:
// each sample goes to the first frame (outermost first) whose function is one
// of an entrypoint's, and each busy burst to the entrypoint most of its samples
// went to. An invocation may span several bursts (one per await), so its CPU
// lies between its largest burst and the sum of its bursts; the mean per
// invocation (busy time ÷ the Tail Worker's count) is exact up to sampling.
import type { CpuProfile } from '../profile/inspector.ts';
import { profileBursts, readSamples } from '../profile/analyze.ts';
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
  const s = readSamples(p);
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
  const groupOf = (i: number): string => {
    const chain = s.stack(i);
    for (let k = chain.length - 1; k >= 0; k--) {
      const g = GROUPS.find(([, re]) => re.test(chain[k]!.callFrame.functionName));
      if (g) return g[0];
    }
    return OTHER;
  };
  for (const b of profileBursts(p, s)) {
    const byGroup = new Map<string, number>();
    for (let i = b.from; i <= b.to; i++) {
      const w = s.weight(i);
      const g = groupOf(i);
      entry(g).busyMs += w;
      byGroup.set(g, (byGroup.get(g) ?? 0) + w);
    }
    let best = '';
    for (const [g, ms] of byGroup) if (!best || ms > byGroup.get(best)!) best = g;
    if (b.ms > 0) entry(best).bursts.push(b.ms);
  }
  return [...out.values()].sort((a, b) => b.busyMs - a.busyMs);
}
