// Where the orchestrator isolate's CPU goes while a 50,000-character job is created (the
// creating call splits the pages after the first; its burst is the efficiency table's worst
// edge burst in most runs). A fresh stack, one short job first (as the efficiency bench does),
// then the job under a 100 µs sampling profile of the orchestrator's isolate. Prints the burst
// that holds most of `splitWithin` (self and inclusive time by function), and splitWithin's
// total over the job.
//
//   node_modules/.bin/node bench/profile/creating-split.ts        (TOP=N functions, default 25)
import { benchSlice } from '../compare/corpus.ts';
import { streamJob } from '../compare/lector-client.ts';
import { processesInGroups } from '../compare/proc.ts';
import { startBenchStack, WARM_UP_TEXT } from '../compare/setup.ts';
import { busyIn, busyInSample, label, profileBursts, readSamples, type Burst } from './analyze.ts';
import { InspectorSession, workerdTargets, type CpuProfile } from './inspector.ts';

const INTERVAL_US = 100;
const TOP = Number(process.env.TOP ?? 25);
const SPLIT = /^splitWithin$/;

const { stack } = await startBenchStack(2);
try {
  await streamJob(stack.edgeUrl, WARM_UP_TEXT);
  const target = (await workerdTargets(processesInGroups([stack.edge.pid]))).find((t) => t.title === 'lector-orchestrator');
  if (!target) throw new Error('the inspector lists no lector-orchestrator');
  const session = await InspectorSession.open(target.webSocketDebuggerUrl);
  await new Promise((r) => setTimeout(r, 1500));
  await session.startProfile(INTERVAL_US);
  await streamJob(stack.edgeUrl, benchSlice().text);
  await new Promise((r) => setTimeout(r, 500));
  report(await session.stopProfile());
  session.close();
} finally {
  await stack.stop();
}

/** Bursts as the efficiency table counts them (bench/profile/analyze.ts). */
function report(p: CpuProfile): void {
  const s = readSamples(p);
  const bursts = profileBursts(p, s);
  let best: { burst: Burst; split: number } | undefined;
  for (const b of bursts) {
    let split = 0;
    for (let i = b.from; i <= b.to; i++) split += busyInSample(s, i, SPLIT);
    if (!best || split > best.split) best = { burst: b, split };
  }
  console.log(`worst burst ${Math.max(0, ...bursts.map((b) => b.ms)).toFixed(2)} ms; splitWithin ${busyIn(p, SPLIT).toFixed(2)} ms in all`);
  if (!best) return;
  console.log(`the split's burst: ${best.burst.ms.toFixed(2)} ms, splitWithin ${best.split.toFixed(2)} ms of it`);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (let i = best.burst.from; i <= best.burst.to; i++) {
    const frames = s.stack(i).map((f) => label(f.callFrame));
    self.set(frames[0]!, (self.get(frames[0]!) ?? 0) + s.weight(i));
    for (const l of new Set(frames)) inclusive.set(l, (inclusive.get(l) ?? 0) + s.weight(i));
  }
  for (const [title, m] of [['self', self], ['inclusive', inclusive]] as const) {
    console.log(`${title} (ms):`);
    for (const [name, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${ms.toFixed(2).padStart(6)}  ${name}`);
  }
}
