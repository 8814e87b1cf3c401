// Memory of the stack, per process, for the 50,000-character job (and the
// whole novel with BENCH_NOVEL=1): the bench stack of setup.ts, sampled every
// 250 ms by PeakMemorySampler. Prints VmHWM and peak PSS per process and the
// stack's sums, and CPU by process during the job (docs/benchmarks.md, Memory
// and Edge runner).
//
//   node bench/compare/memory.ts                              # from the repository root
//   LECTOR_EDGE_RUNNER=wrangler node bench/compare/memory.ts  # the same with wrangler dev
import { loadavg } from 'node:os';
import { benchSlice, readNovel } from './corpus.ts';
import { streamJob } from './lector-client.ts';
import { PeakMemorySampler, processesInGroups, type PeakMemory } from './proc.ts';
import { edgeRunner } from '../../scripts/stack/edge.ts';
import { roleOf, startBenchStack, WARM_UP_TEXT } from './setup.ts';

const MIB = 1024 * 1024;
const mib = (n: number): string => (n / MIB).toFixed(0).padStart(6);

function print(label: string, sampler: PeakMemorySampler, peaks: PeakMemory[]): void {
  console.log(`\n${label}`);
  console.log('   pid  role            comm         VmHWM  peak PSS  (MiB)');
  for (const p of peaks) console.log(`${String(p.pid).padStart(6)}  ${p.role.padEnd(15)} ${p.comm.padEnd(10)} ${mib(p.peakRssBytes)}  ${mib(p.peakPssBytes)}`);
  const stack = sampler.stackPeak();
  console.log(`sum of per-process VmHWM: ${mib(peaks.reduce((a, p) => a + p.peakRssBytes, 0)).trim()} MiB (the efficiency table's figure)`);
  console.log(`largest sum in one sample: RSS ${mib(stack.rssBytes).trim()} MiB, PSS ${mib(stack.pssBytes).trim()} MiB`);
}

const load0 = loadavg()[0]!;
const { stack, reloads, notable } = await startBenchStack();
try {
  const sampler = new PeakMemorySampler([stack.edge.pid, stack.synth!.pid], roleOf(stack), 250);
  await streamJob(stack.edgeUrl, WARM_UP_TEXT);
  const groups = [stack.edge.pid, stack.synth!.pid];
  const cpu0 = new Map(processesInGroups(groups).map((p) => [p.pid, p.cpuMs]));
  const t0 = performance.now();
  const job = await streamJob(stack.edgeUrl, benchSlice().text);
  // CPU each process spent during the job (processes started during it count from 0).
  const cpuByRole = new Map<string, number>();
  const role = roleOf(stack);
  for (const p of processesInGroups(groups)) {
    const key = `${role(p)} (${p.comm})`;
    cpuByRole.set(key, (cpuByRole.get(key) ?? 0) + p.cpuMs - (cpu0.get(p.pid) ?? 0));
  }
  console.log(`edge runner: ${edgeRunner()}`);
  console.log(`CPU during the job (s): ${[...cpuByRole].map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)}`).join(', ')}`);
  print(`50,000 characters: ${job.total} chunks in ${((performance.now() - t0) / 1000).toFixed(1)} s (VmHWM counts from each process's start, PSS from after start-up)`, sampler, sampler.stop());
  if (process.env.BENCH_NOVEL === '1') {
    const novel = new PeakMemorySampler([stack.edge.pid, stack.synth!.pid], roleOf(stack), 1000);
    const t1 = performance.now();
    const nj = await streamJob(stack.edgeUrl, readNovel(), { timeoutMs: 3 * 3600_000 });
    print(`the novel: ${nj.total} chunks in ${((performance.now() - t1) / 1000).toFixed(1)} s (after the 50,000-character job, same stack)`, novel, novel.stop());
  }
  // A reload restarts workerd: its new process starts from nothing, so say so next to the figures.
  console.log(`\nwrangler dev reloads during the run: ${reloads()}`);
  for (const line of notable().filter((l) => /restart|reload|crash|exit|killed/i.test(l))) console.log(`  ${line}`);
} finally {
  await stack.stop();
  console.log(`\nload average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
}
