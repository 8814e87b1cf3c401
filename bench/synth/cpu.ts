// Where the synthesis service's CPU goes around the engine (issue 12): the
// 50,000-character bench slice, planned into chunks as a job plans it
// (src/core/chunking.ts), sent over HTTP to a real service with 2 eSpeak
// workers the way the edge's backend sends them (WAV, `concurrency` at once),
// against the same chunks synthesized in one process. CPU is user + system
// from /proc, per process: the service, its engine workers, and this process
// for the in-process engine.
//
//   node bench/synth/cpu.ts
//   BENCH_SYNTHCPU_PROFILE=dir   also writes --cpu-prof profiles of the service and its workers into dir
//   BENCH_SYNTHCPU_COLD=1        no warm-up job before the timed jobs
//   BENCH_SYNTHCPU_REPO=dir      runs the service of another checkout (an older commit, for before/after)
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';
import { planJobChunks } from '../../src/core/chunking.ts';
import { EspeakEngine } from '../../src/synth/engines/espeak.ts';
import { NODE_MALLOC_ENV, SMALL_HEAP_NODE_FLAGS } from '../../src/synth/node-flags.ts';
import { benchSlice } from '../compare/corpus.ts';
import { processesInGroups, type ProcInfo } from '../compare/proc.ts';
import { VOICE, WARM_UP_TEXT } from '../compare/setup.ts';

export interface CpuSplit {
  chunks: number;
  wallMs: number;
  serviceCpuMs: number;
  workersCpuMs: number;
  /** Reported by the workers (x-lector-engine-ms): wall time inside the engine, summed. */
  engineMs: number;
}

export interface SynthCpuReport {
  chunks: number;
  workers: number;
  /** First job after the service is listening (the bench's warm-up job is short). */
  first: CpuSplit;
  /** The same chunks again: what a long-running service pays. */
  second: CpuSplit;
  /** The same chunks synthesized in one fresh process: first pass (cold JIT) and second (warm). */
  inProcessColdCpuMs: number;
  inProcessWarmCpuMs: number;
  /** Service start: spawn → listening, and the CPU every process used until then. */
  startMs: number;
  startCpuMs: number;
  /** Listening → the service's processes idle (idle-time warm-up done), and their CPU over that span. */
  settleMs: number;
  settleCpuMs: number;
  loadAverage: [number, number];
}

export function benchChunks(): string[] {
  return planJobChunks(benchSlice().text).map((c) => c.text);
}

function cpuOf(pgid: number, servicePid: number): { service: number; workers: number; procs: ProcInfo[] } {
  const procs = processesInGroups([pgid]);
  let service = 0;
  let workers = 0;
  for (const p of procs) {
    if (p.pid === servicePid) service += p.cpuMs;
    else workers += p.cpuMs;
  }
  return { service, workers, procs };
}

interface RunningService {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startService(workers: number, profileDir: string | undefined): Promise<RunningService> {
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(
    process.execPath,
    [...SMALL_HEAP_NODE_FLAGS, ...prof, join(process.env.BENCH_SYNTHCPU_REPO || REPO_ROOT, 'src/synth/main.ts'), '--port', '0', '--min-workers', String(workers), '--max-workers', String(workers), '--engines', 'espeak'],
    {
      // Workers inherit NODE_OPTIONS: their profiles land in the same folder.
      env: { ...process.env, ...NODE_MALLOC_ENV, ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}) },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`synthesis service exited (${code}) before listening`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const groupCpu = (pgid: number): number => processesInGroups([pgid]).reduce((a, p) => a + p.cpuMs, 0);

/** Waits until the group used under 5% of a core over a second (at most 60 s). */
async function settled(pgid: number): Promise<void> {
  const deadline = performance.now() + 60_000;
  let last = groupCpu(pgid);
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = groupCpu(pgid);
    if (now - last < 50) return;
    last = now;
  }
}

/** Sends every chunk, `concurrency` at once, in order; returns the engine ms the workers reported. */
async function sendAll(url: string, chunks: readonly string[], concurrency: number): Promise<number> {
  let next = 0;
  let engineMs = 0;
  const lane = async (): Promise<void> => {
    while (next < chunks.length) {
      const input = chunks[next++]!;
      const res = await fetch(`${url}/v1/audio/speech`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'lector', input, voice: VOICE, response_format: 'wav' }),
      });
      if (!res.ok) throw new Error(`synthesis answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      engineMs += Number(res.headers.get('x-lector-engine-ms') ?? 0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return engineMs;
}

async function timedJob(svc: RunningService, chunks: readonly string[], concurrency: number): Promise<CpuSplit> {
  const before = cpuOf(svc.pid, svc.pid);
  const t0 = performance.now();
  const engineMs = await sendAll(svc.url, chunks, concurrency);
  const wallMs = performance.now() - t0;
  const after = cpuOf(svc.pid, svc.pid);
  return { chunks: chunks.length, wallMs, serviceCpuMs: after.service - before.service, workersCpuMs: after.workers - before.workers, engineMs };
}

/**
 * The synthesis service alone, driven as the edge's backend drives it but from elsewhere (on
 * Cloudflare the edge does not share the engine's cores): started as the stack starts it,
 * left to finish its idle warm-up, one short job, then `chunks` with `concurrency` in flight.
 */
export async function timeHostAlone(chunks: readonly string[], workers: number, concurrency: number): Promise<CpuSplit> {
  const svc = await startService(workers, undefined);
  try {
    await settled(svc.pid);
    await sendAll(svc.url, planJobChunks(WARM_UP_TEXT).map((c) => c.text), workers);
    return await timedJob(svc, chunks, concurrency);
  } finally {
    await svc.stop();
  }
}

/** The chunks in a fresh engine in this process, twice (the process must not have loaded eSpeak before). */
async function inProcess(chunks: readonly string[]): Promise<{ cold: number; warm: number }> {
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const engine = await EspeakEngine.load({ warmUp: true });
  const pass = (): number => {
    const c0 = cpu();
    for (const c of chunks) engine.synthesizeSync(c, VOICE, 1);
    return cpu() - c0;
  };
  return { cold: pass(), warm: pass() };
}

export async function benchSynthCpu(workers = Number(process.env.BENCH_SYNTH_WORKERS ?? availableParallelism())): Promise<SynthCpuReport> {
  const load0 = loadavg()[0]!;
  const chunks = benchChunks();
  const profileDir = process.env.BENCH_SYNTHCPU_PROFILE || undefined;
  const t0 = performance.now();
  const svc = await startService(workers, profileDir);
  const startMs = performance.now() - t0;
  const startCpuMs = groupCpu(svc.pid);
  let first: CpuSplit;
  let second: CpuSplit;
  let settleMs = 0;
  let settleCpuMs = 0;
  try {
    // The stack starts wrangler after the service is listening (10 s or more): workers are idle meanwhile.
    const t1 = performance.now();
    await settled(svc.pid);
    settleMs = performance.now() - t1;
    settleCpuMs = groupCpu(svc.pid) - startCpuMs;
    // As the efficiency bench does before its timed job: one short job.
    if (process.env.BENCH_SYNTHCPU_COLD !== '1') await sendAll(svc.url, planJobChunks(WARM_UP_TEXT).map((c) => c.text), workers);
    first = await timedJob(svc, chunks, workers);
    second = await timedJob(svc, chunks, workers);
  } finally {
    await svc.stop();
  }
  const local = await inProcess(chunks);
  return {
    chunks: chunks.length,
    workers,
    first,
    second,
    inProcessColdCpuMs: local.cold,
    inProcessWarmCpuMs: local.warm,
    startMs,
    startCpuMs,
    settleMs,
    settleCpuMs,
    loadAverage: [load0, loadavg()[0]!],
  };
}

/** The report as rows for `npm run bench`. */
export function synthCpuRows(r: SynthCpuReport): { figure: string; value: string }[] {
  const f0 = (n: number): string => n.toFixed(0);
  const per = (n: number): string => (n / r.chunks).toFixed(1);
  const rows: { figure: string; value: string }[] = [
    { figure: `chunks (50,000 characters), engine workers`, value: `${r.chunks}, ${r.workers}` },
    { figure: 'service start: wall / CPU of all its processes (ms)', value: `${f0(r.startMs)} / ${f0(r.startCpuMs)}` },
    { figure: 'then until idle (worker warm-up): wall / CPU (ms)', value: `${f0(r.settleMs)} / ${f0(r.settleCpuMs)}` },
  ];
  for (const [name, s] of [['first job', r.first], ['second job', r.second]] as const) {
    rows.push(
      { figure: `${name}: wall (ms)`, value: f0(s.wallMs) },
      { figure: `${name}: engine workers CPU (ms), per chunk`, value: `${f0(s.workersCpuMs)}, ${per(s.workersCpuMs)}` },
      { figure: `${name}: service process CPU (ms), per chunk`, value: `${f0(s.serviceCpuMs)}, ${per(s.serviceCpuMs)}` },
      { figure: `${name}: engine time reported by workers (ms)`, value: f0(s.engineMs) },
    );
  }
  rows.push(
    { figure: 'in-process engine, fresh process, first pass CPU (ms)', value: f0(r.inProcessColdCpuMs) },
    { figure: 'in-process engine, second pass CPU (ms)', value: f0(r.inProcessWarmCpuMs) },
    { figure: 'load average (1 min) before / after', value: `${r.loadAverage[0].toFixed(1)} / ${r.loadAverage[1].toFixed(1)}` },
  );
  return rows;
}

if (import.meta.main) {
  const r = await benchSynthCpu();
  for (const row of synthCpuRows(r)) console.log(`${row.figure.padEnd(60)} ${row.value}`);
}
