// Before / after a change to the edge, side by side in one run: two checkouts
// (each with node_modules linked, see docs/benchmarks.md "Measure a clean
// checkout") take turns (A B, B A, ...), each running the efficiency section's
// edge phase from its own code on the 50,000-character job: isolate CPU per
// chunk (inspector profiles), rows written and invocations per chunk.
//
//   node bench/efficiency/ab.ts /tmp/snapA /tmp/snapB      (BENCH_AB_ROUNDS, default 2)
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchSlice } from '../compare/corpus.ts';
import { printRows, type BenchRow } from '../compare/report.ts';
import { benchWorkers } from '../compare/setup.ts';
import { fixed, median, percentile } from '../compare/stats.ts';
import type { EdgeProfileRun } from './edge-profile.ts';

type Profile = (text: string, workers: number, concurrent: readonly string[]) => Promise<EdgeProfileRun>;

const [dirA, dirB] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: node bench/efficiency/ab.ts <checkout A> <checkout B>');
  process.exit(2);
}
const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 2);
const load0 = loadavg()[0]!;
const { text, start } = benchSlice();
const novelTail = (await import('../compare/corpus.ts')).readNovel().slice(start + text.length);
const concurrent = Array.from({ length: 10 }, (_, i) => novelTail.slice(i * 1000, (i + 1) * 1000));
const runners: Record<'A' | 'B', Profile> = {
  A: ((await import(join(dirA, 'bench/efficiency/edge-profile.ts'))) as { profileEdge: Profile }).profileEdge,
  B: ((await import(join(dirB, 'bench/efficiency/edge-profile.ts'))) as { profileEdge: Profile }).profileEdge,
};
const runs: Record<'A' | 'B', EdgeProfileRun[]> = { A: [], B: [] };
for (let r = 0; r < rounds; r++) {
  for (const side of r % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
    runs[side].push(await runners[side](text, benchWorkers(), concurrent));
    console.error(`ab: round ${r + 1}/${rounds} ${side} done`);
  }
}
const fig = (side: 'A' | 'B', f: (e: EdgeProfileRun) => number) => median(runs[side].map(f));
const worker = (name: string) => (e: EdgeProfileRun) => (e.isolates.find((i) => i.worker === name)?.summary.busyMs ?? NaN) / e.chunks;
const figures: [string, (e: EdgeProfileRun) => number, number][] = [
  ['orchestrator isolate CPU per chunk (ms)', worker('lector-orchestrator'), 2],
  ['backend isolate CPU per chunk (ms)', worker('lector-backend'), 2],
  ['SQLite rows written per chunk', (e) => e.stats.rowsWritten / e.chunks, 2],
  ['invocations per chunk', (e) => e.counts.invocations / e.chunks, 2],
  ['DO requests per chunk', (e) => e.counts.doRequests / e.chunks, 2],
  ['RouterCounter requests/s with 10 jobs', (e) => e.router.perSecond, 1],
  ['worst burst p99 over the Workers and DOs (ms)', (e) => Math.max(...e.isolates.flatMap((i) => i.byEntrypoint.map((x) => percentile(x.bursts, 99)).filter(Number.isFinite))), 2],
];
const rows: BenchRow[] = [
  { figure: 'A / B', value: `${dirA} / ${dirB}` },
  { figure: 'rounds (medians)', value: String(rounds) },
];
for (const [name, f, d] of figures) {
  const a = fig('A', f);
  const b = fig('B', f);
  rows.push({ figure: name, value: `${fixed(a, d)} → ${fixed(b, d)} (${fixed(((b - a) / a) * 100, 0)} %)` });
}
rows.push({ figure: 'load average (1 min) before / after', value: `${fixed(load0, 2)} / ${fixed(loadavg()[0]!, 2)}` });
printRows(rows);
