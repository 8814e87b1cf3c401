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
import { InspectorSession, workerdTargets, type CpuProfile } from './inspector.ts';

const INTERVAL_US = 100;
/** A gap longer than this between samples ends a burst (the thread slept or awaited). */
const GAP_MS = 0.5;
const TOP = Number(process.env.TOP ?? 25);

interface Burst {
  from: number;
  to: number;
  ms: number;
}

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

function report(p: CpuProfile): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const deltas = p.timeDeltas.map((x) => x / 1000);
  const weight = (i: number) => Math.min(deltas[i + 1] ?? INTERVAL_US / 1000, (2.5 * INTERVAL_US) / 1000);
  const label = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
  };
  const stackOf = (i: number) => {
    const ids: number[] = [];
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) ids.push(id);
    return ids;
  };
  const inSplit = (i: number) => stackOf(i).some((id) => byId.get(id)!.callFrame.functionName === 'splitWithin');

  const bursts: Burst[] = [];
  let current: Burst | undefined;
  for (let i = 0; i < p.samples.length; i++) {
    const idle = byId.get(p.samples[i]!)!.callFrame.functionName === '(idle)';
    if (idle || (deltas[i] ?? 0) > GAP_MS) {
      if (current) bursts.push(current);
      current = undefined;
      if (idle) continue;
    }
    current ??= { from: i, to: i, ms: 0 };
    current.to = i;
    current.ms += weight(i);
  }
  if (current) bursts.push(current);

  let splitTotal = 0;
  let best: { burst: Burst; split: number } | undefined;
  for (const b of bursts) {
    let split = 0;
    for (let i = b.from; i <= b.to; i++) if (inSplit(i)) split += weight(i);
    splitTotal += split;
    if (!best || split > best.split) best = { burst: b, split };
  }
  const worst = Math.max(...bursts.map((b) => b.ms));
  console.log(`worst burst ${worst.toFixed(2)} ms; splitWithin ${splitTotal.toFixed(2)} ms in all`);
  if (!best) return;
  console.log(`the split's burst: ${best.burst.ms.toFixed(2)} ms, splitWithin ${best.split.toFixed(2)} ms of it`);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (let i = best.burst.from; i <= best.burst.to; i++) {
    const ids = stackOf(i);
    self.set(label(ids[0]!), (self.get(label(ids[0]!)) ?? 0) + weight(i));
    for (const l of new Set(ids.map(label))) inclusive.set(l, (inclusive.get(l) ?? 0) + weight(i));
  }
  for (const [title, m] of [['self', self], ['inclusive', inclusive]] as const) {
    console.log(`${title} (ms):`);
    for (const [name, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${ms.toFixed(2).padStart(6)}  ${name}`);
  }
}
