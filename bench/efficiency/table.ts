// The rows of issue 12's goal table from one efficiency run, each with its goal
// and whether this run met it, followed by the figures they are made of.
import type { PeakMemory, ProcessRole } from '../compare/proc.ts';
import type { ensurePeer } from '../compare/peer.ts';
import type { JobStats } from '../compare/lector-client.ts';
import type { BenchRow } from '../compare/report.ts';
import type { Round } from '../compare/round.ts';
import { duration, fixed, median, percentile } from '../compare/stats.ts';
import type { CpuSplit } from '../synth/cpu.ts';
import type { EdgeProfileRun } from './edge-profile.ts';

export interface Measured {
  rounds: Round[];
  workers: number;
  chunks: number;
  chars: number;
  peerReady: ReturnType<typeof ensurePeer>;
  peak50k: number;
  peaks50k: PeakMemory[];
  novelPeak: number | undefined;
  /** The stack's largest PSS summed over its processes in one sample (docs/benchmarks.md, Memory). */
  pss50k?: number;
  novelPss?: number | undefined;
  novelStats: { chars: number; stats: JobStats; seconds: number } | undefined;
  edge: EdgeProfileRun;
  /** The same chunks sent straight to a synthesis service of its own (no edge on these cores). */
  hostAlone: CpuSplit;
  load: [number, number];
}

/** Concurrent novel-size jobs the RouterCounter row projects to. */
const PROJECTED_JOBS = 100;
/** Chunks in flight per job (JOB_CONCURRENCY's default in the orchestrator's config). */
export const JOB_CONCURRENCY = 4;
const MIB = 2 ** 20;
const mib = (b: number) => `${fixed(b / MIB, 0)} MiB`;

export function goalRows(x: Measured): BenchRow[] {
  const rs = x.rounds;
  const m = (f: (r: Round) => number) => median(rs.map(f));
  const end = (r: Round) => r.lector.job.endMs;
  const ttfa = (r: Round) => r.lector.job.firstAudioByteMs;
  const peerRounds = rs.filter((r) => r.peer);
  const mp = (f: (r: Round & { peer: PeerRunLike }) => number) => median(peerRounds.map((r) => f(r as Round & { peer: PeerRunLike })));
  const kchars = x.chars / 1000;
  const efficiency = m((r) => r.perChunk.ms / x.workers / end(r));
  const floor = m((r) => r.whole.ms / end(r));
  const rows: BenchRow[] = [
    { figure: 'text', value: `${x.chars.toLocaleString('en')} chars of the corpus novel, ${x.chunks} chunks, ${x.workers} engine workers, ${rs.length} round(s)` },
    { figure: 'load average (1 min) before / after', value: `${fixed(x.load[0], 2)} / ${fixed(x.load[1], 2)}` },
    { figure: `orchestration efficiency: (engine sum ÷ ${x.workers} workers) ÷ job time`, value: fixed(efficiency, 2), goal: '≥ 0.85', met: efficiency >= 0.85 },
    { figure: 'Lector ÷ single-core floor (engine alone, whole text, one call)', value: `${fixed(floor, 2)}×`, goal: '≥ 1.7×', met: floor >= 1.7 },
    ...ceilingRows(x),
  ];
  if (peerRounds.length > 0 && x.peerReady.ok) {
    const total = mp((r) => r.peer.totalMs / end(r));
    const first = mp((r) => ttfa(r) / r.peer.firstSentenceMs);
    rows.push(
      { figure: `Echogarden ${x.peerReady.version} ÷ Lector, total time`, value: `${fixed(total, 2)}×`, goal: '≥ 2.5×', met: total >= 2.5 },
      {
        figure: "time to first audio: Lector ÷ Echogarden's first onSentence",
        value: `${fixed(first, 2)}× (${duration(m(ttfa))} vs ${duration(mp((r) => r.peer.firstSentenceMs))})`,
        goal: '≤ 1.0×',
        met: first <= 1,
      },
    );
  } else {
    const why = x.peerReady.ok ? 'no round ran it' : x.peerReady.reason.slice(0, 160);
    rows.push(
      { figure: 'Echogarden ÷ Lector, total time', value: `not measured: ${why}`, goal: '≥ 2.5×' },
      { figure: "time to first audio: Lector ÷ Echogarden's first onSentence", value: `not measured (Lector ${duration(m(ttfa))})`, goal: '≤ 1.0×' },
    );
  }
  const novelOk = x.novelPeak === undefined ? undefined : x.novelPeak <= x.peak50k * 1.2;
  rows.push({
    figure: 'peak memory, all stack processes: 50,000 chars / the novel',
    value: `${mib(x.peak50k)} / ${x.novelPeak === undefined ? 'not run (BENCH_NOVEL=1)' : `${mib(x.novelPeak)} (${fixed(x.novelPeak / x.peak50k, 2)}×)`}`,
    goal: '≤ 800 MiB / within 20%',
    met: x.peak50k <= 800 * MIB && novelOk !== false,
  });
  const rowsPerK = m((r) => r.lector.stats.rowsWritten) / kchars;
  const doPerK = x.edge.counts.doRequests / kchars;
  rows.push({ figure: 'SQLite rows written / DO requests per 1,000 chars', value: `${fixed(rowsPerK, 1)} / ${fixed(doPerK, 1)}`, goal: '≤ 8 / ≤ 2', met: rowsPerK <= 8 && doPerK <= 2 });

  // Edge CPU per invocation, from the isolates' CPU profiles (stack B).
  const edgeRows: BenchRow[] = [];
  let worstP99 = 0;
  let worstMean = 0;
  if (x.edge.profileError) {
    rows.push({ figure: 'edge CPU per invocation, p50/p99', value: `not measured: ${x.edge.profileError}`, goal: 'p99 ≤ 10 ms' });
  } else {
    for (const iso of x.edge.isolates) {
      for (const e of iso.byEntrypoint) {
        const mean = e.busyMs / e.invocations;
        const p99 = percentile(e.bursts, 99);
        if (Number.isFinite(e.invocations) && e.invocations > 0) worstMean = Math.max(worstMean, mean);
        // An entrypoint with no sampled burst (a few tiny calls) has no p99: NaN would hide every other row's.
        if (Number.isFinite(p99)) worstP99 = Math.max(worstP99, p99);
        edgeRows.push({
          figure: `  ${iso.worker}: ${e.entrypoint}`,
          value: `${Number.isFinite(e.invocations) ? `${e.invocations} inv, mean ${fixed(mean, 2)} ms/inv, ` : ''}${fixed(e.busyMs, 0)} ms busy; bursts p50/p99 ${fixed(percentile(e.bursts, 50), 2)}/${fixed(p99, 2)} ms (${e.bursts.length})`,
        });
      }
    }
    rows.push({
      figure: 'edge CPU per invocation, per Worker / DO: worst burst p99 / worst mean',
      value: `${fixed(worstP99, 2)} / ${fixed(worstMean, 2)} ms`,
      goal: 'p99 ≤ 10 ms',
      met: worstP99 <= 10 && worstMean <= 10,
    });
  }

  // RouterCounter: measured with 10 jobs at once; projected to 100 jobs, each at the pace its
  // `concurrency` chunks in flight allow when backends keep up (engine CPU per chunk, from this
  // run's in-process engine: independent of the machine's load, unlike the wall-time pace here).
  const routerPerChunk = sumRouter(x.edge.counts.byEntrypoint) / x.edge.chunks;
  const chunkRate = JOB_CONCURRENCY / (m((r) => r.perChunk.cpuMs) / x.chunks / 1000);
  const projected = PROJECTED_JOBS * routerPerChunk * chunkRate;
  const rt = x.edge.router;
  rows.push({
    figure: `RouterCounter requests/s: ${rt.concurrentJobs} jobs measured / ${PROJECTED_JOBS} projected`,
    value: `${fixed(rt.perSecond, 0)} / ${fixed(projected, 0)}`,
    goal: '< 500/s at 100',
    met: projected < 500,
  });

  // What the goal rows are made of.
  rows.push(
    { figure: 'Lector: job end to end (POST → event: end)', value: duration(m(end)) },
    { figure: 'engine: sum over the chunks (in-process), wall / CPU', value: `${duration(m((r) => r.perChunk.ms))} / ${duration(m((r) => r.perChunk.cpuMs))}` },
    { figure: 'engine alone: whole text in one call, wall / CPU', value: `${duration(m((r) => r.whole.ms))} / ${duration(m((r) => r.whole.cpuMs))}` },
    {
      figure: 'CPU during the job (s): workers / service / workerd / edge Node process (Miniflare runner or wrangler)',
      value: (['engine worker', 'synth service', 'workerd', 'wrangler'] as ProcessRole[]).map((role) => fixed(m((r) => r.lector.cpuMs[role] / 1000), 1)).join(' / '),
    },
    { figure: 'efficiency bound here: engine CPU ÷ stack CPU', value: fixed(m((r) => r.perChunk.cpuMs / stackCpu(r)), 2) },
    {
      figure: '  peak memory by process: service / workers / edge Node process / workerd',
      value: (['synth service', 'engine worker', 'wrangler', 'workerd'] as ProcessRole[]).map((role) => mib(x.peaks50k.filter((p) => p.role === role).reduce((a, p) => a + p.peakRssBytes, 0))).join(' / '),
    },
    {
      figure: '  peak memory as PSS summed at one instant: 50,000 chars / the novel',
      value: `${x.pss50k ? mib(x.pss50k) : 'not sampled'} / ${x.novelPss === undefined ? 'not run' : mib(x.novelPss)}`,
    },
  );
  if (peerRounds.length > 0) rows.push({ figure: '  Echogarden: whole text / peak RSS', value: `${duration(mp((r) => r.peer.totalMs))} / ${mib(mp((r) => r.peer.peakRssBytes))}` });
  if (x.novelStats) {
    const n = x.novelStats;
    rows.push({ figure: '  the novel: time / rows written per 1,000 chars', value: `${duration(n.seconds * 1000)} / ${fixed(n.stats.rowsWritten / (n.chars / 1000), 1)}` });
  }
  rows.push(
    { figure: 'edge: invocations by entrypoint (one job, Tail Worker)', value: Object.entries(x.edge.counts.byEntrypoint).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') },
    { figure: 'edge: profiled isolate CPU per chunk (orchestrator + backend, JS + runtime)', value: `${fixed(isolateMsPerChunk(x), 2)} ms` },
    { figure: 'edge: workerd process CPU per chunk (also R2/DO simulators, stack A)', value: `${fixed(m(workerdMsPerChunk), 2)} ms` },
    ...edgeRows,
    { figure: `  RouterCounter: requests per chunk / one job's chunks/s with backends keeping up (${JOB_CONCURRENCY} in flight ÷ engine CPU per chunk)`, value: `${fixed(routerPerChunk, 2)} / ${fixed(chunkRate, 0)}` },
    { figure: `  one job's chunks/s here (wall, this machine's load)`, value: fixed(m((r) => r.lector.job.total / (end(r) / 1000)), 1) },
    { figure: `  ${rt.concurrentJobs} jobs at once: chunks / seconds / RouterCounter requests`, value: `${rt.chunks} / ${fixed(rt.seconds, 1)} / ${rt.requests}` },
  );
  return rows;
}

type PeerRunLike = NonNullable<Round['peer']>;

/**
 * What the two rows above could reach on this machine at best, from this run's own figures:
 * the job can take no less than the CPU it needs spread over the workers' cores. With nothing
 * but the engine's CPU (the per-chunk sum), that is the ceiling of any orchestration here;
 * with workerd's local R2/DO emulation added (workerd's CPU per chunk on stack A less the
 * profiled isolates' on stack B), it is the ceiling of this stack run locally on the same cores.
 */
function ceilingRows(x: Measured): BenchRow[] {
  const m = (f: (r: Round) => number) => median(x.rounds.map(f));
  const isolates = isolateMsPerChunk(x);
  const emulation = (r: Round) => Math.max(0, workerdMsPerChunk(r) - isolates) * r.lector.job.total;
  const pair = (extra: (r: Round) => number) => {
    const job = (r: Round) => (r.perChunk.cpuMs + extra(r)) / x.workers;
    return `${fixed(m((r) => r.perChunk.ms / x.workers / job(r)), 2)} / ${fixed(m((r) => r.whole.ms / job(r)), 2)}×`;
  };
  const host = x.hostAlone;
  return [
    {
      figure: `  synthesis host alone, the edge elsewhere (as on Cloudflare): same chunks, ${JOB_CONCURRENCY} in flight: efficiency / floor`,
      value: `${fixed(m((r) => r.perChunk.ms) / x.workers / host.wallMs, 2)} / ${fixed(m((r) => r.whole.ms) / host.wallMs, 2)}× (${duration(host.wallMs)}; CPU workers / service ${fixed(host.workersCpuMs / 1000, 1)} / ${fixed(host.serviceCpuMs / 1000, 1)} s)`,
    },
    { figure: `  ceiling here, the job taking only the engine's CPU spread over ${x.workers} cores: efficiency / floor`, value: pair(() => 0) },
    { figure: "  ceiling here with workerd's local R2/DO emulation beside the engine: efficiency / floor", value: `${pair(emulation)} (emulation ${duration(m(emulation))} of CPU)` },
  ];
}

/** The profiled edge isolates' CPU per chunk (stack B: JS and the runtime's work on their threads). */
function isolateMsPerChunk(x: Measured): number {
  return x.edge.isolates.reduce((a, i) => a + i.summary.busyMs, 0) / x.edge.chunks;
}

/** The whole workerd process's CPU per chunk (stack A: the isolates and the local R2/DO emulation). */
function workerdMsPerChunk(r: Round): number {
  return r.lector.cpuMs.workerd / r.lector.job.total;
}

function stackCpu(r: Round): number {
  const c = r.lector.cpuMs;
  return c['engine worker'] + c['synth service'] + c.workerd + c.wrangler + c.other;
}

function sumRouter(by: Record<string, number>): number {
  return Object.entries(by).reduce((a, [k, n]) => (k.startsWith('RouterCounter.') ? a + n : a), 0);
}
