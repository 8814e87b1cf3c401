// Issue 6 §5, the whole novel as one job: the corpus (765,805 bytes of UTF-8)
// posted as a single job through the whole local stack, read until `event: end`.
// Reports the wall time and each process's peak memory (VmHWM from
// /proc/<pid>/status, sampled every second so processes that exit early count).
// Long (minutes), so `npm run bench` runs it only when asked:
//
//   npm run bench -- novel            (or BENCH_NOVEL=1 npm run bench)
//   node bench/novel.ts

import { loadavg } from 'node:os';
import { CORPUS_PATH, readNovel } from './compare/corpus.ts';
import { jobStats, streamJob, synthStatus } from './compare/lector-client.ts';
import { PeakMemorySampler } from './compare/proc.ts';
import type { BenchRow } from './compare/report.ts';
import { benchSynthArgs, benchWorkers, roleOf, startBenchStack, WARM_UP_TEXT } from './compare/setup.ts';
import { duration, fixed } from './compare/stats.ts';

export interface NovelReport {
  rows: BenchRow[];
  wallSeconds: number;
}

export async function benchNovel(): Promise<NovelReport> {
  const started = performance.now();
  const load0 = loadavg()[0]!;
  const text = readNovel();
  const workers = benchWorkers();
  const { stack, reloads, notable } = await startBenchStack(workers);
  const memory = new PeakMemorySampler([stack.edge.pid, stack.synth!.pid], roleOf(stack), 1000);
  try {
    await streamJob(stack.edgeUrl, WARM_UP_TEXT);
    const job = await streamJob(stack.edgeUrl, text, { timeoutMs: 3 * 60 * 60_000 });
    const stats = await jobStats(stack.edgeUrl, job.jobId);
    const status = await synthStatus(stack.synthUrl);
    const peaks = memory.stop();
    if (job.reconnects > 0) console.error(`novel: the event stream dropped ${job.reconnects} time(s); wrangler and synth lines that may say why:\n${notable().join('\n')}`);
    if (job.messages !== job.total) throw new Error(`novel job ended with ${job.messages} of ${job.total} chunks announced`);
    const mib = (b: number) => `${fixed(b / 2 ** 20, 0)} MiB`;
    const rows: BenchRow[] = [
      { figure: 'text', value: `${CORPUS_PATH.split('/').pop()}: ${text.length.toLocaleString('en')} chars, ${Buffer.byteLength(text).toLocaleString('en')} bytes` },
      { figure: 'chunks', value: String(job.total) },
      { figure: 'synthesis workers (flags)', value: `${workers} (${benchSynthArgs(workers).join(' ')}); ${status.workers.length} at the end` },
      { figure: 'completed', value: `yes: ${job.messages} chunks announced, event: end` },
      { figure: 'wrangler dev reloads / event-stream reconnects during the job', value: `${reloads()} / ${job.reconnects}` },
      { figure: 'workerd processes seen (more than at start: workerd restarted)', value: String(peaks.filter((p) => p.role === 'workerd').length) },
      { figure: 'job wall time (POST → event: end)', value: duration(job.endMs) },
      { figure: 'time to first audio', value: duration(job.firstAudioByteMs) },
      { figure: 'audio produced', value: `${fixed(job.audioMs / 3_600_000, 2)} h` },
      { figure: 'chunks per second', value: fixed(job.total / (job.endMs / 1000), 1) },
      { figure: 'alarms / backend calls / rows written', value: `${stats.alarms} / ${stats.backendCalls} / ${stats.rowsWritten}` },
    ];
    for (const p of peaks) rows.push({ figure: `peak RSS: ${p.role} (${p.comm}, pid ${p.pid})`, value: mib(p.peakRssBytes) });
    rows.push(
      { figure: 'peak RSS: sum over the stack', value: mib(peaks.reduce((a, p) => a + p.peakRssBytes, 0)) },
      { figure: 'synth service errors (failed / retried requests)', value: `${status.metrics.failedRequests} / ${status.metrics.retriedRequests}` },
      { figure: 'load average (1 min) before / after', value: `${fixed(load0, 2)} / ${fixed(loadavg()[0]!, 2)}` },
    );
    const wallSeconds = (performance.now() - started) / 1000;
    rows.push({ figure: 'this section took', value: duration(wallSeconds * 1000) });
    return { rows, wallSeconds };
  } finally {
    memory.stop();
    await stack.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printRows } = await import('./compare/report.ts');
  printRows((await benchNovel()).rows);
}
