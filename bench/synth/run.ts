// Synthesis service benchmarks (issue 4, section 9), every figure measured in
// this one run:
//   - manager routing overhead per request (p50/p99), fake zero-cost worker
//   - IPC + routing overhead with real workers (latency minus engine time)
//   - single-sentence latency p50/p95/p99 at 10 requests/s sustained, over HTTP
//   - throughput with 1 worker vs N workers and the scaling efficiency
//   - protocol v2.0 (base64 JSON) vs v2.1 (binary frames)
//   - recovery time after kill -9
//   - failed requests while 50% of the workers are killed
//
//   node bench/synth/run.ts            (npm run bench -- synth)
//   BENCH_SYNTH_QUICK=1 node bench/synth/run.ts   (shorter phases)

import { availableParallelism, loadavg } from 'node:os';
import { builtinTemplate, type TTSManagerOptions } from '../../src/synth/config.ts';
import { TTSManager } from '../../src/synth/manager.ts';
import { decodeForBench, encodeForBench } from './protocol-micro.ts';
import { startSynthServer } from '../../src/synth/server.ts';
import { fakeSpawner } from '../../src/synth/testing/fake-child.ts';
import { WorkerState } from '../../src/synth/types.ts';

const QUICK = process.env.BENCH_SYNTH_QUICK === '1';
const SENTENCES = [
  'The quick brown fox jumps over the lazy dog near the riverbank.',
  'Long-form reading needs a service that finishes what it starts.',
  'Every core stays busy while the queue holds work for it.',
  'A worker may crash, but the caller should never notice.',
  'She sells sea shells by the sea shore, or so they say.',
  'Numbers such as 42 and 1999 are read out as words.',
];

export interface SynthBenchReport {
  cores: number;
  routingOverheadMs: { p50: number; p99: number; dispatchP50: number; dispatchP99: number; samples: number };
  ipcOverheadMs: { p50: number; p99: number };
  latencyAt10Rps: { p50: number; p95: number; p99: number; requests: number; achievedRps: number; failed: number };
  throughput: { oneWorker: number; nWorkers: number; n: number; efficiency: number };
  protocol: { v20PerSec: number; v21PerSec: number; microV20Us: number; microV21Us: number };
  recovery: { replacementReadyMs: { median: number; max: number }; inFlightExtraMs: number; kills: number };
  halfKilled: { requests: number; failed: number; kills: number; retried: number };
  wallSeconds: number;
  /** 1-minute load average before and after: other work on the machine skews every figure. */
  loadAverage: { before: number; after: number };
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = { log: () => {} };
const r3 = (n: number) => Math.round(n * 1000) / 1000;
const r1 = (n: number) => Math.round(n * 10) / 10;

async function pool(options: TTSManagerOptions): Promise<TTSManager> {
  const m = new TTSManager(options, quiet);
  await m.initialize();
  return m;
}

/** Manager overhead with a worker that answers at once (in-process fake): queue, balancer, breaker, timeout, framing. */
async function routingOverhead(): Promise<SynthBenchReport['routingOverheadMs']> {
  let arrivedAt = 0;
  const spawn = fakeSpawner({ onSynthesize: () => ((arrivedAt = performance.now()), { kind: 'audio', delayMs: 0, samples: 22050 }) });
  const m = new TTSManager({ workerPool: { minWorkers: 1, maxWorkers: 1, templates: [{ name: 'fake', command: 'fake', args: [], protocol: '2.1' }] } }, { spawn, log: () => {} });
  await m.initialize();
  const total: number[] = [];
  const dispatch: number[] = [];
  const n = QUICK ? 1000 : 5000;
  for (let i = 0; i < n + 300; i++) {
    const t0 = performance.now();
    await m.synthesize({ text: SENTENCES[i % SENTENCES.length]!, voice: 'en-us' });
    if (i >= 300) {
      total.push(performance.now() - t0);
      dispatch.push(arrivedAt - t0);
    }
  }
  await m.shutdown();
  return { p50: r3(pct(total, 50)), p99: r3(pct(total, 99)), dispatchP50: r3(pct(dispatch, 50)), dispatchP99: r3(pct(dispatch, 99)), samples: n };
}

/** Closed-loop throughput (requests/s) with `concurrency` callers for `ms`. */
async function throughput(m: TTSManager, concurrency: number, ms: number): Promise<{ perSec: number; overhead: number[] }> {
  const end = performance.now() + ms;
  let done = 0;
  const overhead: number[] = [];
  let k = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const r = await m.synthesize({ text: SENTENCES[k++ % SENTENCES.length]!, voice: 'en-us' });
        overhead.push(r.latencyMs - r.queuedMs - r.engineMs);
        done++;
      }
    }),
  );
  return { perSec: done / ((performance.now() - t0) / 1000), overhead };
}

/** 1 worker vs N workers, measured in alternating phases (A B A B) so load changes hit both alike. */
async function scaling(n: number): Promise<{ t1: number; tn: number; overhead: number[] }> {
  const phaseMs = QUICK ? 2000 : 5000;
  const warm = async (m: TTSManager) => Promise.all(Array.from({ length: 2 * n }, () => m.synthesize({ text: SENTENCES[0]!, voice: 'en-us' })));
  const one = await pool({ workerPool: { minWorkers: 1, maxWorkers: 1, templates: [builtinTemplate(['espeak'])] } });
  const many = await pool({ workerPool: { minWorkers: n, maxWorkers: n, templates: [builtinTemplate(['espeak'])] }, loadBalancing: { strategy: 'least-connections' } });
  await warm(one);
  await warm(many);
  const t1: number[] = [];
  const tn: number[] = [];
  const overhead: number[] = [];
  for (let round = 0; round < 2; round++) {
    const a = await throughput(one, 2, phaseMs);
    t1.push(a.perSec);
    overhead.push(...a.overhead);
    tn.push((await throughput(many, 2 * n, phaseMs)).perSec);
  }
  await Promise.all([one.shutdown(), many.shutdown()]);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return { t1: mean(t1), tn: mean(tn), overhead };
}

async function protocols(): Promise<SynthBenchReport['protocol']> {
  const ms = QUICK ? 3000 : 6000;
  const result: Record<string, number> = {};
  for (const protocol of ['2.0', '2.1'] as const) {
    const m = await pool({ workerPool: { minWorkers: 1, maxWorkers: 1, templates: [{ ...builtinTemplate(['espeak']), protocol }] } });
    await m.synthesize({ text: SENTENCES[0]!, voice: 'en-us' });
    result[protocol] = (await throughput(m, 2, ms)).perSec;
    await m.shutdown();
  }
  // Encode + decode of one 3 s, 22.05 kHz frame, in microseconds.
  const micro20 = microFrames('2.0');
  const micro21 = microFrames('2.1');
  return { v20PerSec: r1(result['2.0']!), v21PerSec: r1(result['2.1']!), microV20Us: r1(micro20), microV21Us: r1(micro21) };
}

function microFrames(version: '2.0' | '2.1'): number {
  const pcm = new Uint8Array(22050 * 2 * 3);
  for (let i = 0; i < pcm.length; i++) pcm[i] = (i * 31) & 0xff;
  const n = 300;
  for (let i = 0; i < 30; i++) decodeForBench(encodeForBench(version, pcm));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) decodeForBench(encodeForBench(version, pcm));
  return ((performance.now() - t0) / n) * 1000;
}

/** Open-loop arrivals at `rps` over HTTP; latency per request. */
async function latencyAtRate(n: number): Promise<SynthBenchReport['latencyAt10Rps']> {
  const server = await startSynthServer({ port: 0, manager: { workerPool: { minWorkers: n, maxWorkers: n } }, deps: quiet });
  const rps = 10;
  const seconds = QUICK ? 8 : 20;
  const total = rps * seconds;
  const post = (text: string) =>
    fetch(`${server.url}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: text, voice: 'en-us', response_format: 'pcm' }) });
  for (const s of SENTENCES) await (await post(s)).arrayBuffer();
  const latencies: number[] = [];
  let failed = 0;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rps;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(
      (async () => {
        const start = performance.now();
        const res = await post(SENTENCES[i % SENTENCES.length]!);
        await res.arrayBuffer();
        if (res.status === 200) latencies.push(performance.now() - start);
        else failed++;
      })(),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000;
  await server.close();
  return { p50: r1(pct(latencies, 50)), p95: r1(pct(latencies, 95)), p99: r1(pct(latencies, 99)), requests: total, achievedRps: r1(total / elapsed), failed };
}

async function recovery(n: number): Promise<SynthBenchReport['recovery']> {
  const m = await pool({ workerPool: { minWorkers: n, maxWorkers: n, templates: [builtinTemplate(['espeak'])] } });
  const ready = () => m.getStatus().workers.filter((w) => w.state === WorkerState.READY).length;
  const times: number[] = [];
  const kills = QUICK ? 3 : 5;
  for (let k = 0; k < kills; k++) {
    while (ready() < n) await sleep(5);
    const victim = m.getStatus().workers[0]!;
    const t0 = performance.now();
    process.kill(victim.pid!, 'SIGKILL');
    while (m.getStatus().workers.some((w) => w.id === victim.id) || ready() < n) await sleep(2);
    times.push(performance.now() - t0);
  }
  // A request whose worker is killed mid-synthesis: extra time versus an undisturbed one.
  const text = SENTENCES.join(' ');
  const baseline: number[] = [];
  for (let i = 0; i < 3; i++) baseline.push((await m.synthesize({ text, voice: 'en-us' })).latencyMs);
  const base = pct(baseline, 50);
  while (ready() < n) await sleep(5);
  const p = m.synthesize({ text, voice: 'en-us' });
  while (!m.getStatus().workers.some((w) => w.state === WorkerState.BUSY)) await sleep(1);
  process.kill(m.getStatus().workers.find((w) => w.state === WorkerState.BUSY)!.pid!, 'SIGKILL');
  const hit = await p;
  await m.shutdown();
  return { replacementReadyMs: { median: Math.round(pct(times, 50)), max: Math.round(Math.max(...times)) }, inFlightExtraMs: Math.round(hit.latencyMs - base), kills };
}

async function halfKilled(): Promise<SynthBenchReport['halfKilled']> {
  const n = 4;
  const m = await pool({ workerPool: { minWorkers: n, maxWorkers: n, templates: [builtinTemplate(['espeak'])] }, loadBalancing: { strategy: 'least-connections' } });
  const ms = QUICK ? 6000 : 15_000;
  const end = performance.now() + ms;
  let requests = 0;
  let failed = 0;
  let kills = 0;
  const killer = (async () => {
    await sleep(1000);
    while (performance.now() < end - 1500) {
      const victims = m.getStatus().workers.filter((w) => w.pid !== null && (w.state === WorkerState.READY || w.state === WorkerState.BUSY)).slice(0, n / 2);
      for (const v of victims) {
        process.kill(v.pid!, 'SIGKILL');
        kills++;
      }
      await sleep(2500);
    }
  })();
  let k = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (performance.now() < end) {
        requests++;
        try {
          await m.synthesize({ text: SENTENCES[k++ % SENTENCES.length]!, voice: 'en-us' });
        } catch {
          failed++;
        }
      }
    }),
  );
  await killer;
  const retried = m.getStatus().metrics.retriedRequests;
  await m.shutdown();
  return { requests, failed, kills, retried };
}

export async function runSynthBench(): Promise<SynthBenchReport> {
  const t0 = performance.now();
  const loadBefore = loadavg()[0]!;
  const cores = availableParallelism();
  const n = cores;
  const routingOverheadMs = await routingOverhead();
  const scale = await scaling(n);
  const protocol = await protocols();
  const latencyAt10Rps = await latencyAtRate(n);
  const recoveryFigures = await recovery(n);
  const halfKilledFigures = await halfKilled();
  return {
    cores,
    routingOverheadMs,
    ipcOverheadMs: { p50: r3(pct(scale.overhead, 50)), p99: r3(pct(scale.overhead, 99)) },
    latencyAt10Rps,
    throughput: { oneWorker: r1(scale.t1), nWorkers: r1(scale.tn), n, efficiency: Math.round((scale.tn / (n * scale.t1)) * 1000) / 1000 },
    protocol,
    recovery: recoveryFigures,
    halfKilled: halfKilledFigures,
    wallSeconds: Math.round((performance.now() - t0) / 1000),
    loadAverage: { before: r1(loadBefore), after: r1(loadavg()[0]!) },
  };
}

/** Flat figures for the project-wide `bench/run.ts` table. */
export async function benchSynth(): Promise<Record<string, string | number>> {
  const r = await runSynthBench();
  return {
    'cores (N)': r.cores,
    'manager routing overhead p50 / p99 (ms) [goal p99 < 1; seed < 100]': `${r.routingOverheadMs.p50} / ${r.routingOverheadMs.p99}`,
    'manager dispatch (call -> worker) p50 / p99 (ms)': `${r.routingOverheadMs.dispatchP50} / ${r.routingOverheadMs.dispatchP99}`,
    'routing + IPC overhead, real worker, p50 / p99 (ms)': `${r.ipcOverheadMs.p50} / ${r.ipcOverheadMs.p99}`,
    'latency at 10 req/s p50 / p95 / p99 (ms) [seed 150/300/500]': `${r.latencyAt10Rps.p50} / ${r.latencyAt10Rps.p95} / ${r.latencyAt10Rps.p99}`,
    'latency run: requests, achieved req/s, failed': `${r.latencyAt10Rps.requests}, ${r.latencyAt10Rps.achievedRps}, ${r.latencyAt10Rps.failed}`,
    'throughput 1 worker (req/s)': r.throughput.oneWorker,
    [`throughput ${r.throughput.n} workers (req/s)`]: r.throughput.nWorkers,
    [`scaling efficiency t${r.throughput.n} / (${r.throughput.n} x t1) [goal >= 0.9]`]: r.throughput.efficiency,
    'protocol v2.0 / v2.1 throughput, 1 worker (req/s)': `${r.protocol.v20PerSec} / ${r.protocol.v21PerSec}`,
    'protocol v2.0 / v2.1 encode+decode of a 3 s frame (us)': `${r.protocol.microV20Us} / ${r.protocol.microV21Us}`,
    'recovery after kill -9: replacement READY median / max (ms) [goal < 1000; seed < 5000]': `${r.recovery.replacementReadyMs.median} / ${r.recovery.replacementReadyMs.max}`,
    'recovery: extra latency of the request in flight on the killed worker (ms)': r.recovery.inFlightExtraMs,
    'failed requests while 50% of workers are killed [goal 0]': `${r.halfKilled.failed} of ${r.halfKilled.requests} (${r.halfKilled.kills} kills, ${r.halfKilled.retried} retried)`,
    'synth bench wall time (s)': r.wallSeconds,
    'machine load average before / after (1 min)': `${r.loadAverage.before} / ${r.loadAverage.after}`,
  };
}

if (import.meta.main) {
  const figures = await benchSynth();
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  console.log(`\nLector synthesis benchmark (node bench/synth/run.ts), Node ${process.version}, ${new Date().toISOString()}\n`);
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(width)}  ${v}`);
}
