// Issue 6 §5, "The benchmark": one table, every figure measured side by side in
// this one run, on the same text (a fixed 50,000-character slice of the corpus
// novel), the same engine and the same voice (eSpeak NG, en-us) throughout:
//   - Lector: one job through the whole local stack (POST /api/tts-stream until event: end)
//   - the engine alone: eSpeak in this process, once per chunk of that job and once for the whole text
//   - the peer: Echogarden's eSpeak engine on the same text (installed on first use)
//   - edge cost of the Lector job: workerd CPU, Durable Object requests, rows, R2 operations
// Phases alternate order from round to round (A B C D, D C B A, ...) so load from
// elsewhere on the machine falls on each alike; each ratio is taken within a round,
// and the table shows medians over rounds.
//
//   npm run bench -- compare          (BENCH_COMPARE_ROUNDS=3 by default)
//   node bench/compare/run.ts

import { availableParallelism, loadavg } from 'node:os';
import type { Stack } from '../../scripts/stack/stack.ts';
import { benchSlice, SLICE_CHARS } from './corpus.ts';
import { timeEngine } from './engine.ts';
import { warmStack } from './warm.ts';
import { jobChunkTexts, jobStats, streamJob, synthStatus, type JobStats, type StreamedJob } from './lector-client.ts';
import { ensurePeer, type PeerRun } from './peer.ts';
import { runRound, type Round } from './round.ts';
import { DEFAULT_MAX_CHUNKS_PER_ALARM } from '../../src/edge/orchestrator/job/config.ts';
import { PeakMemorySampler, processesInGroups, type ProcessRole } from './proc.ts';
import { type BenchRow } from './report.ts';
import { countInvocations, startTraceCollector, type InvocationCounts } from './traces.ts';
import { benchSynthArgs, benchWorkers, roleOf, startBenchStack, WARM_UP_TEXT } from './setup.ts';
import { duration, fixed, median } from './stats.ts';

export interface LectorRun {
  job: StreamedJob;
  stats: JobStats;
  /** CPU milliseconds spent during the job, by process role (and `bench` for this process). */
  cpuMs: Record<ProcessRole | 'bench', number>;
}

const ROLES: readonly ProcessRole[] = ['synth service', 'engine worker', 'wrangler', 'workerd', 'other'];

export function cpuByRole(stack: Stack): Record<ProcessRole, number> {
  const out = Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<ProcessRole, number>;
  const role = roleOf(stack);
  for (const p of processesInGroups([stack.edge.pid, stack.synth!.pid])) out[role(p)] += p.cpuMs;
  return out;
}

export async function lectorJob(stack: Stack, text: string): Promise<LectorRun> {
  const before = cpuByRole(stack);
  const bench0 = process.cpuUsage();
  const job = await streamJob(stack.edgeUrl, text);
  const bench = process.cpuUsage(bench0);
  const after = cpuByRole(stack);
  const stats = await jobStats(stack.edgeUrl, job.jobId);
  const cpuMs = { bench: (bench.user + bench.system) / 1000 } as LectorRun['cpuMs'];
  for (const r of ROLES) cpuMs[r] = after[r] - before[r];
  return { job, stats, cpuMs };
}

export interface CompareReport {
  rows: BenchRow[];
  rounds: number;
  workers: number;
  chunks: number;
  peerSkipped?: string;
  wallSeconds: number;
}

export async function benchCompare(rounds = Number(process.env.BENCH_COMPARE_ROUNDS ?? 3)): Promise<CompareReport> {
  const started = performance.now();
  const load0 = loadavg()[0]!;
  const { text, start } = benchSlice();
  // The texts of the job's chunks, from the first Lector job (the edge splits; GET ?include=chunks).
  const chunks: string[] = [];
  const workers = benchWorkers();
  const peerReady = ensurePeer();
  if (!peerReady.ok) console.error(`compare: skipping the Echogarden rows: ${peerReady.reason}`);

  const { stack, reloads } = await startBenchStack(workers);
  let discarded = 0;
  const memory = new PeakMemorySampler([stack.edge.pid, stack.synth!.pid], roleOf(stack));
  const results: Round[] = [];
  let ctx: Omit<TabulateContext, 'counts'>;
  try {
    await warmStack(stack);
    // A wrangler dev reload (a source file changed) restarts the job's object mid-run: run it again.
    const lector = async (): Promise<LectorRun> => {
      for (;;) {
        const reloads0 = reloads();
        const run = await lectorJob(stack, text);
        if (chunks.length === 0) chunks.push(...(await jobChunkTexts(stack.edgeUrl, run.job.jobId)));
        if (reloads() === reloads0 && run.job.reconnects === 0) return run;
        if (++discarded > rounds) throw new Error('wrangler dev keeps reloading: source files are changing under the benchmark');
      }
    };
    for (let r = 0; r < rounds; r++) {
      const round = await runRound({ index: r, edgeUrl: stack.edgeUrl, text, peerReady, lector, chunks });
      results.push(round);
      const l = round.lector;
      console.error(
        `compare: round ${r + 1}/${rounds}: lector ${duration(l.job.endMs)} (first audio ${duration(l.job.firstAudioByteMs)}), ` +
          `engine per chunk ${duration(round.perChunk.ms)}, whole ${duration(round.whole.ms)}` +
          (round.peer ? `, echogarden ${duration(round.peer.totalMs)} (first sentence ${duration(round.peer.firstSentenceMs)})` : ''),
      );
    }
    // The same number of chunks with almost no audio or words: what part of the edge's CPU follows the chunk's size.
    const tiny = await lectorJob(stack, Array.from({ length: chunks.length }, (_, i) => `Item ${i}.`).join('\n\n'));
    const calls: number[] = [];
    for (let i = 0; i < 21; i++) calls.push((await timeEngine('Yes.')).cpuMs);
    const status = await synthStatus(stack.synthUrl);
    const peaks = memory.stop();
    ctx = { workers, chunks: chunks.length, start, peerReady, peaks, workersSeen: status.workers.length, tiny, callCpuMs: median(calls) };
  } finally {
    memory.stop();
    await stack.stop();
  }
  const counts = await countEdgeInvocations(text, workers);
  const report = tabulate(results, { ...ctx, counts });
  report.push({ figure: 'Lector jobs run again (wrangler dev reloaded mid-job)', value: String(discarded) });
  report.push({ figure: 'load average (1 min) before / after', value: `${fixed(load0, 2)} / ${fixed(loadavg()[0]!, 2)}` });
  const out: CompareReport = { rows: report, rounds, workers, chunks: chunks.length, wallSeconds: (performance.now() - started) / 1000 };
  if (!peerReady.ok) out.peerSkipped = peerReady.reason;
  return out;
}

/**
 * Exact invocation counts of one job of `text`, on a stack of its own with the
 * bench Tail Worker (kept out of the timed stack: the Tail Worker costs workerd CPU).
 */
async function countEdgeInvocations(text: string, workers: number): Promise<InvocationCounts> {
  const traces = await startTraceCollector();
  const { stack } = await startBenchStack(workers, { tailCollectorUrl: traces.url });
  const settle = () => new Promise((r) => setTimeout(r, 2000)); // the last traces arrive in batches
  try {
    await streamJob(stack.edgeUrl, WARM_UP_TEXT);
    await settle();
    traces.rows.length = 0;
    await streamJob(stack.edgeUrl, text);
    await settle();
    return countInvocations(traces.rows);
  } finally {
    await stack.stop();
    await traces.close();
  }
}

interface TabulateContext {
  workers: number;
  chunks: number;
  start: number;
  peerReady: ReturnType<typeof ensurePeer>;
  peaks: ReturnType<PeakMemorySampler['stop']>;
  workersSeen: number;
  /** A job of as many one-word chunks (`Item N.`). */
  tiny: LectorRun;
  /** Median CPU milliseconds of synthesizing `Yes.`: heap restore, voice load, one word. */
  callCpuMs: number;
  /** Exact invocations of one job of the same text (Tail Worker, separate stack). */
  counts: InvocationCounts;
}

/** JOB_MAX_CHUNKS_PER_ALARM (default, not overridden by the stack). */
const ALARM_BATCH = DEFAULT_MAX_CHUNKS_PER_ALARM;

/** Median gap before a chunk that opens an alarm's batch, and before any other chunk. */
function alarmBoundaryGaps(rs: Round[]): { boundary: number; elsewhere: number } {
  const boundary: number[] = [];
  const elsewhere: number[] = [];
  for (const r of rs) {
    const at = r.lector.job.messageAtMs;
    for (let i = 1; i < at.length; i++) (i % ALARM_BATCH === 0 ? boundary : elsewhere).push(at[i]! - at[i - 1]!);
  }
  return { boundary: median(boundary), elsewhere: median(elsewhere) };
}

function tabulate(rs: Round[], ctx: TabulateContext): BenchRow[] {
  const m = (f: (r: Round) => number): number => median(rs.map(f));
  const peerRounds = rs.filter((r) => r.peer);
  const mp = (f: (r: Round & { peer: PeerRun }) => number): number => median(peerRounds.map((r) => f(r as Round & { peer: PeerRun })));
  const end = (r: Round) => r.lector.job.endMs;
  const ttfa = (r: Round) => r.lector.job.firstAudioByteMs;
  const kchars = SLICE_CHARS / 1000;
  const st = (f: (s: JobStats) => number) => m((r) => f(r.lector.stats));
  const counts = ctx.counts;
  const total = rs[0]!.lector.job.total;
  const r2Ops = (s: JobStats) => s.backendCalls + 1; // a PUT per stored chunk, the GET of chunk 0
  const efficiency = m((r) => r.perChunk.ms / ctx.workers / end(r));
  const totalRatio = mp((r) => r.peer.totalMs / end(r));
  const ttfaRatioWhole = mp((r) => r.peer.totalMs / ttfa(r));
  const ttfaRatioFirst = mp((r) => r.peer.firstSentenceMs / ttfa(r));
  const peakBy = (role: ProcessRole) => ctx.peaks.filter((p) => p.role === role).reduce((a, p) => a + p.peakRssBytes, 0);
  const lectorPeak = ctx.peaks.reduce((a, p) => a + p.peakRssBytes, 0);
  const mib = (b: number) => `${fixed(b / 2 ** 20, 0)} MiB`;
  const cpu = (role: ProcessRole | 'bench') => m((r) => r.lector.cpuMs[role] / 1000);
  const stackCpu = (r: Round) => ROLES.reduce((a, role) => a + r.lector.cpuMs[role], 0);
  const gaps = alarmBoundaryGaps(rs);

  const rows: BenchRow[] = [
    { figure: 'text', value: `corpus chars [${ctx.start}, ${ctx.start + SLICE_CHARS}) = ${SLICE_CHARS.toLocaleString('en')} chars, ${ctx.chunks} chunks (the job's own)` },
    { figure: 'rounds (median of each figure)', value: String(rs.length) },
    { figure: 'synthesis workers (flags)', value: `${ctx.workers} (${benchSynthArgs(ctx.workers).join(' ')}); ${ctx.workersSeen} at the end` },
    { figure: 'Lector: job end to end (POST → event: end)', value: duration(m(end)) },
    { figure: 'Lector: audio produced', value: `${fixed(m((r) => r.lector.job.audioMs / 1000), 0)} s` },
    { figure: 'engine: sum of pure engine time over the chunks (in-process)', value: duration(m((r) => r.perChunk.ms)) },
    { figure: '  the same, CPU time', value: duration(m((r) => r.perChunk.cpuMs)) },
    {
      figure: `orchestration efficiency: (engine sum ÷ ${ctx.workers} workers) ÷ job time`,
      value: fixed(efficiency, 2),
      goal: '≥ 0.90',
      met: efficiency >= 0.9,
    },
    { figure: 'engine alone: whole text in one call (single-core floor)', value: duration(m((r) => r.whole.ms)) },
    { figure: '  the same, CPU time', value: duration(m((r) => r.whole.cpuMs)) },
    { figure: 'engine: fixed cost of one call (CPU, a one-word text, median)', value: `${fixed(ctx.callCpuMs, 1)} ms` },
    { figure: 'engine alone: audio produced', value: `${fixed(m((r) => r.whole.audioSeconds), 0)} s` },
    { figure: 'Lector speed-up over the single-core floor', value: `${fixed(m((r) => r.whole.ms / end(r)), 2)}×` },
    { figure: 'Lector: time to first audio (POST → first byte of chunk 0)', value: duration(m(ttfa)) },
  ];
  if (peerRounds.length > 0 && ctx.peerReady.ok) {
    rows.push(
      { figure: `Echogarden ${ctx.peerReady.version}: synthesize() whole text`, value: duration(mp((r) => r.peer.totalMs)) },
      { figure: 'Echogarden: audio produced', value: `${fixed(mp((r) => r.peer.audioSeconds), 0)} s` },
      { figure: 'total time: Echogarden ÷ Lector', value: `${fixed(totalRatio, 2)}×`, goal: '≥ 2×', met: totalRatio >= 2 },
      {
        figure: 'time to first audio: Echogarden (synthesize() resolves) ÷ Lector',
        value: `${fixed(ttfaRatioWhole, 1)}×`,
        goal: '≥ 20×',
        met: ttfaRatioWhole >= 20,
      },
      { figure: 'Echogarden: first onSentence callback (its streaming API)', value: duration(mp((r) => r.peer.firstSentenceMs)) },
      { figure: 'time to first audio: Echogarden (first onSentence) ÷ Lector', value: `${fixed(ttfaRatioFirst, 2)}×` },
      { figure: 'Echogarden: CPU time of the call', value: duration(mp((r) => r.peer.cpuMs)) },
      { figure: 'CPU time: Echogarden ÷ Lector (all stack processes)', value: `${fixed(mp((r) => r.peer.cpuMs / stackCpu(r)), 2)}×` },
      { figure: 'Echogarden: peak RSS (one process)', value: mib(median(peerRounds.map((r) => r.peer!.peakRssBytes))) },
    );
  } else {
    rows.push({ figure: 'Echogarden rows', value: 'skipped', goal: ctx.peerReady.ok ? 'no round ran' : ctx.peerReady.reason.slice(0, 200) });
  }
  rows.push(
    { figure: 'Lector: peak RSS, all stack processes', value: mib(lectorPeak) },
    {
      figure: '  of which synth service / engine workers / edge Node process / workerd',
      value: [peakBy('synth service'), peakBy('engine worker'), peakBy('wrangler'), peakBy('workerd')].map(mib).join(' / '),
    },
    { figure: 'edge: workerd CPU per chunk', value: `${fixed(m((r) => r.lector.cpuMs.workerd / r.lector.job.total), 2)} ms`, goal: '≤ 1 ms (issue 3)', met: m((r) => r.lector.cpuMs.workerd / r.lector.job.total) <= 1 },
    {
      figure: `  the same for ${ctx.chunks} one-word chunks ("Item N.", ${fixed(ctx.tiny.job.audioMs / ctx.tiny.job.total / 1000, 1)} s of audio each)`,
      value: `${fixed(ctx.tiny.cpuMs.workerd / ctx.tiny.job.total, 2)} ms`,
    },
    { figure: 'edge: workerd CPU per invocation (mean)', value: `${fixed(m((r) => r.lector.cpuMs.workerd) / counts.invocations, 2)} ms` },
    { figure: 'edge: invocations per chunk (Tail Worker count, one job)', value: fixed(counts.invocations / total, 2) },
    {
      figure: '  by entrypoint',
      value: Object.entries(counts.byEntrypoint)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
    },
    { figure: 'edge: alarms for the job', value: String(counts.alarms) },
    { figure: 'edge: Durable Object requests per 1,000 chars', value: fixed(counts.doRequests / kchars, 1) },
    { figure: 'edge: SQLite rows written per 1,000 chars', value: fixed(st((s) => s.rowsWritten) / kchars, 1) },
    { figure: 'edge: R2 operations per 1,000 chars (PUTs + GET)', value: fixed(st(r2Ops) / kchars, 2) },
    {
      figure: 'CPU during the job (s): workers / service / workerd / wrangler / bench',
      value: [cpu('engine worker'), cpu('synth service'), cpu('workerd'), cpu('wrangler'), cpu('bench')].map((x) => fixed(x, 1)).join(' / '),
    },
    { figure: 'share of the machine the stack got: stack CPU ÷ (cores × job time)', value: fixed(m((r) => stackCpu(r) / availableParallelism() / end(r)), 2) },
    { figure: 'efficiency bound on these cores: engine CPU (in-process) ÷ stack CPU', value: fixed(m((r) => r.perChunk.cpuMs / stackCpu(r)), 2) },
    {
      figure: `gap between chunk messages: at alarm boundaries (every ${ALARM_BATCH}) / elsewhere (median)`,
      value: `${duration(gaps.boundary)} / ${duration(gaps.elsewhere)}`,
    },
  );
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printRows } = await import('./report.ts');
  const r = await benchCompare();
  printRows(r.rows);
}
