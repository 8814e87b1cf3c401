// Issue 12's goal table, every row measured side by side in this one run:
//   stack A (timed, no Tail Worker): the 50,000-character job, Echogarden, the
//     engine per chunk and on the whole text, in alternating order per round;
//     peak memory of every stack process (and the whole novel with BENCH_NOVEL=1);
//   stack B (Tail Worker + inspector CPU profiles): the same job once, for exact
//     invocation counts, rows written and CPU per Worker / Durable Object
//     invocation; then 10 jobs at once for RouterCounter's request rate.
//
//   npm run bench -- efficiency     (BENCH_EFFICIENCY_ROUNDS, default 1; BENCH_NOVEL=1 adds the novel)
import { loadavg } from 'node:os';
import { benchSlice, readNovel, SLICE_CHARS } from '../compare/corpus.ts';
import { warmStack } from '../compare/warm.ts';
import { jobChunkTexts, jobStats, streamJob, type JobStats } from '../compare/lector-client.ts';
import { ensurePeer } from '../compare/peer.ts';
import { PeakMemorySampler } from '../compare/proc.ts';
import type { BenchRow } from '../compare/report.ts';
import { runRound, type Round } from '../compare/round.ts';
import { lectorJob, type LectorRun } from '../compare/run.ts';
import { benchWorkers, roleOf, startBenchStack } from '../compare/setup.ts';
import { fixed, median } from '../compare/stats.ts';
import { timeHostAlone } from '../synth/cpu.ts';
import { profileEdge, type EdgeProfileRun } from './edge-profile.ts';
import { goalRows, JOB_CONCURRENCY, type Measured } from './table.ts';

/** Jobs at once for the RouterCounter rate, and the characters of each (distinct slices of the novel). */
const CONCURRENT_JOBS = 10;
const CONCURRENT_CHARS = Number(process.env.BENCH_EFFICIENCY_CONCURRENT_CHARS ?? 5_000);

export async function benchEfficiency(rounds = Number(process.env.BENCH_EFFICIENCY_ROUNDS ?? 1)): Promise<{ rows: BenchRow[] }> {
  const started = performance.now();
  const load0 = loadavg()[0]!;
  const { text, start } = benchSlice();
  const novel = readNovel();
  const workers = benchWorkers();
  const peerReady = ensurePeer();
  const results: Round[] = [];
  const chunks: string[] = [];
  let novelPeak: number | undefined;
  let novelStats: { chars: number; stats: JobStats; seconds: number } | undefined;
  let peak50k = 0;
  let pss50k = 0;
  let novelPss: number | undefined;

  const { stack, reloads } = await startBenchStack(workers);
  const memory = new PeakMemorySampler([stack.edge.pid, stack.synth!.pid], roleOf(stack));
  let peaks50k: ReturnType<PeakMemorySampler['stop']> = [];
  try {
    await warmStack(stack);
    const lector = async (): Promise<LectorRun> => {
      const reloads0 = reloads();
      const run = await lectorJob(stack, text);
      if (chunks.length === 0) chunks.push(...(await jobChunkTexts(stack.edgeUrl, run.job.jobId)));
      if (reloads() !== reloads0 || run.job.reconnects > 0) console.error('efficiency: wrangler reloaded during the Lector job: its time includes the restart');
      return run;
    };
    for (let r = 0; r < rounds; r++) {
      results.push(await runRound({ index: r, edgeUrl: stack.edgeUrl, text, peerReady, lector, chunks }));
      console.error(`efficiency: round ${r + 1}/${rounds} done`);
    }
    memory.sample();
    peaks50k = memory.stop();
    peak50k = peaks50k.reduce((a, p) => a + p.peakRssBytes, 0);
    pss50k = memory.stackPeak().pssBytes;
    if (process.env.BENCH_NOVEL === '1') {
      const novelMemory = new PeakMemorySampler([stack.edge.pid, stack.synth!.pid], roleOf(stack), 1000);
      const t0 = performance.now();
      const job = await streamJob(stack.edgeUrl, novel, { timeoutMs: 3 * 60 * 60_000 });
      const seconds = (performance.now() - t0) / 1000;
      novelStats = { chars: novel.length, stats: await jobStats(stack.edgeUrl, job.jobId), seconds };
      novelPeak = novelMemory.stop().reduce((a, p) => a + p.peakRssBytes, 0);
      novelPss = novelMemory.stackPeak().pssBytes;
    }
  } finally {
    memory.stop();
    await stack.stop();
  }

  const concurrentTexts = Array.from({ length: CONCURRENT_JOBS }, (_, i) => {
    const at = start + SLICE_CHARS + i * CONCURRENT_CHARS;
    return novel.slice(at, at + CONCURRENT_CHARS);
  });
  const hostAlone = await timeHostAlone(chunks, workers, JOB_CONCURRENCY);
  const edge: EdgeProfileRun = await profileEdge(text, workers, concurrentTexts);
  const m: Measured = {
    rounds: results,
    workers,
    chunks: chunks.length,
    chars: SLICE_CHARS,
    peerReady,
    peak50k,
    peaks50k,
    novelPeak,
    pss50k,
    novelPss,
    novelStats,
    edge,
    hostAlone,
    load: [load0, loadavg()[0]!],
  };
  const rows = goalRows(m);
  rows.push({ figure: 'this section took', value: `${fixed((performance.now() - started) / 1000, 0)} s` });
  return { rows };
}

export { median };

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printRows } = await import('../compare/report.ts');
  printRows((await benchEfficiency()).rows);
}
