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
/** Sentences of book-like length (mean about 100 characters), cycled by every phase. */
const SENTENCES = [
  'The quick brown fox jumps over the lazy dog near the riverbank, then disappears into the tall grass.',
  'Long-form reading needs a service that finishes what it starts, one sentence after another.',
  'Every core stays busy while the queue holds work for it, and no request waits longer than it must.',
  'A worker may crash in the middle of a sentence, but the reader should never notice the difference.',
  'She sells sea shells by the sea shore, or so the old rhyme says, and the shells she sells are real.',
  'In 1999 the library held 42,000 books; by the end of the decade it had twice as many readers.',
]

export interface SynthBenchReport {
  cores: number;
  routingOverheadMs: { p50: number; p99: number; dispatchP50: number; dispatchP99: number; samples: number };
  ipcOverheadMs: { p50: number; p99: number };
  latencyAt10Rps: { p50: number; p95: number; p99: number; requests: number; achievedRps: number; failed: number };
  throughput: { oneWorker: number; nWorkers: number; n: number; efficiency: number; managerCpuMsPerRequest: number; meanSentenceChars: number };
  protocol: { v20PerSec: number; v21PerSec: number; microV20Us: number; microV21Us: number };
  recovery: { replacementReadyMs: { median: number; max: number }; inFlightExtraMs: number; inFlightBaseMs: number; inFlightAttempts: number; kills: number };
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

/**
 * Manager overhead with a worker that answers at once (in-process fake child):
 * queue, balancer, breaker, timeout, envelope and framing on the manager side.
 * Counted: call -> request bytes written to the worker, plus reply bytes written
 * by the worker -> caller resumed. The fake worker's own decode/encode is not.
 */
async function routingOverhead(): Promise<SynthBenchReport['routingOverheadMs']> {
  let arrivedAt = 0;
  let repliedAt = 0;
  const spawn = fakeSpawner({ onSynthesize: () => ((arrivedAt = performance.now()), { kind: 'audio', delayMs: 0, samples: 22050 }) });
  const m = new TTSManager({ workerPool: { minWorkers: 1, maxWorkers: 1, templates: [{ name: 'fake', command: 'fake', args: [], protocol: '2.1' }] } }, { spawn, log: () => {} });
  await m.initialize();
  const child = spawn.children[0]!;
  const write = child.stdout.write.bind(child.stdout) as (chunk: Uint8Array) => boolean;
  child.stdout.write = ((chunk: Uint8Array) => ((repliedAt = performance.now()), write(chunk))) as typeof child.stdout.write;
  const total: number[] = [];
  const dispatch: number[] = [];
  const n = QUICK ? 1000 : 5000;
  for (let i = 0; i < n + 300; i++) {
    const t0 = performance.now();
    await m.synthesize({ text: SENTENCES[i % SENTENCES.length]!, voice: 'en-us' });
    const t1 = performance.now();
    if (i >= 300) {
      total.push(arrivedAt - t0 + (t1 - repliedAt));
      dispatch.push(arrivedAt - t0);
    }
  }
  await m.shutdown();
  return { p50: r3(pct(total, 50)), p99: r3(pct(total, 99)), dispatchP50: r3(pct(dispatch, 50)), dispatchP99: r3(pct(dispatch, 99)), samples: n };
}

/** Closed-loop throughput (requests/s) with `concurrency` callers for `ms`. */
async function throughput(m: TTSManager, concurrency: number, ms: number): Promise<{ perSec: number; overhead: number[]; cpuMsPerRequest: number }> {
  const end = performance.now() + ms;
  let done = 0;
  const overhead: number[] = [];
  let k = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const r = await m.synthesize({ text: SENTENCES[k++ % SENTENCES.length]!, voice: 'en-us' });
        overhead.push(r.latencyMs - r.queuedMs - r.engineMs);
        done++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { perSec: done / ((performance.now() - t0) / 1000), overhead, cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / done };
}

/** Mean of closed-loop throughput over alternating phases (A B A B ...), so load from elsewhere hits each pool alike. */
async function alternate(pools: { m: TTSManager; concurrency: number }[], rounds: number, phaseMs: number) {
  const perSec = pools.map(() => [] as number[]);
  const overhead = pools.map(() => [] as number[]);
  const cpu = pools.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < pools.length; i++) {
      const r = await throughput(pools[i]!.m, pools[i]!.concurrency, phaseMs);
      perSec[i]!.push(r.perSec);
      overhead[i]!.push(...r.overhead);
      cpu[i]!.push(r.cpuMsPerRequest);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return pools.map((_, i) => ({ perSec: mean(perSec[i]!), overhead: overhead[i]!, cpuMsPerRequest: mean(cpu[i]!) }));
}

async function warm(m: TTSManager, n: number): Promise<void> {
  await Promise.all(Array.from({ length: 2 * n }, (_, i) => m.synthesize({ text: SENTENCES[i % SENTENCES.length]!, voice: 'en-us' })));
}

/** 1 worker vs N workers, side by side. */
async function scaling(n: number): Promise<{ t1: number; tn: number; overhead: number[]; cpuMsPerRequest: number }> {
  const one = await pool({ workerPool: { minWorkers: 1, maxWorkers: 1, templates: [builtinTemplate(['espeak'])] } });
  const many = await pool({ workerPool: { minWorkers: n, maxWorkers: n, templates: [builtinTemplate(['espeak'])] }, loadBalancing: { strategy: 'least-connections' } });
  await warm(one, 1);
  await warm(many, n);
  const [a, b] = await alternate([{ m: one, concurrency: 2 }, { m: many, concurrency: 2 * n }], 3, QUICK ? 1500 : 4000);
  await Promise.all([one.shutdown(), many.shutdown()]);
  return { t1: a!.perSec, tn: b!.perSec, overhead: [...a!.overhead, ...b!.overhead], cpuMsPerRequest: b!.cpuMsPerRequest };
}

/** One worker speaking v2.0 (base64 JSON) vs one speaking v2.1 (binary frames), side by side. */
async function protocols(): Promise<SynthBenchReport['protocol']> {
  const v20 = await pool({ workerPool: { minWorkers: 1, maxWorkers: 1, templates: [{ ...builtinTemplate(['espeak']), protocol: '2.0' }] } });
  const v21 = await pool({ workerPool: { minWorkers: 1, maxWorkers: 1, templates: [{ ...builtinTemplate(['espeak']), protocol: '2.1' }] } });
  await warm(v20, 1);
  await warm(v21, 1);
  const [a, b] = await alternate([{ m: v20, concurrency: 2 }, { m: v21, concurrency: 2 }], 3, QUICK ? 1000 : 2500);
  await Promise.all([v20.shutdown(), v21.shutdown()]);
  // Encode + decode of one 3 s, 22.05 kHz reply, in microseconds.
  return { v20PerSec: r1(a!.perSec), v21PerSec: r1(b!.perSec), microV20Us: r1(microFrames('2.0')), microV21Us: r1(microFrames('2.1')) };
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
  // A request whose worker is killed halfway through its synthesis: extra time versus undisturbed runs.
  const text = SENTENCES.join(' ');
  const baseline: number[] = [];
  for (let i = 0; i < 5; i++) baseline.push((await m.synthesize({ text, voice: 'en-us' })).latencyMs);
  const base = pct(baseline, 50);
  let hit = { latencyMs: 0, attempts: 1 };
  for (let tries = 0; tries < 5 && hit.attempts < 2; tries++) {
    while (ready() < n) await sleep(5);
    const p = m.synthesize({ text, voice: 'en-us' });
    while (!m.getStatus().workers.some((w) => w.state === WorkerState.BUSY)) await sleep(1);
    const busy = m.getStatus().workers.find((w) => w.state === WorkerState.BUSY)!;
    await sleep(base / 3);
    try {
      process.kill(busy.pid!, 'SIGKILL');
    } catch {
      // Already replaced: this try does not count.
    }
    hit = await p;
  }
  await m.shutdown();
  return {
    replacementReadyMs: { median: Math.round(pct(times, 50)), max: Math.round(Math.max(...times)) },
    inFlightExtraMs: Math.round(hit.latencyMs - base),
    inFlightBaseMs: Math.round(base),
    inFlightAttempts: hit.attempts,
    kills,
  };
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
    throughput: {
      oneWorker: r1(scale.t1),
      nWorkers: r1(scale.tn),
      n,
      efficiency: Math.round((scale.tn / (n * scale.t1)) * 1000) / 1000,
      managerCpuMsPerRequest: r3(scale.cpuMsPerRequest),
      meanSentenceChars: Math.round(SENTENCES.reduce((a, x) => a + x.length, 0) / SENTENCES.length),
    },
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
    'manager routing overhead, manager side of a round trip, p50 / p99 (ms) [goal p99 < 1; seed < 100]': `${r.routingOverheadMs.p50} / ${r.routingOverheadMs.p99}`,
    'manager dispatch (call -> worker) p50 / p99 (ms)': `${r.routingOverheadMs.dispatchP50} / ${r.routingOverheadMs.dispatchP99}`,
    'routing + IPC overhead, real worker, p50 / p99 (ms)': `${r.ipcOverheadMs.p50} / ${r.ipcOverheadMs.p99}`,
    'latency at 10 req/s p50 / p95 / p99 (ms) [seed 150/300/500]': `${r.latencyAt10Rps.p50} / ${r.latencyAt10Rps.p95} / ${r.latencyAt10Rps.p99}`,
    'latency run: requests, achieved req/s, failed': `${r.latencyAt10Rps.requests}, ${r.latencyAt10Rps.achievedRps}, ${r.latencyAt10Rps.failed}`,
    'sentence length, mean (chars)': r.throughput.meanSentenceChars,
    'throughput 1 worker (req/s)': r.throughput.oneWorker,
    [`throughput ${r.throughput.n} workers (req/s)`]: r.throughput.nWorkers,
    [`scaling efficiency t${r.throughput.n} / (${r.throughput.n} x t1) [goal >= 0.9]`]: r.throughput.efficiency,
    'manager process CPU per request at N workers, bench client included (ms)': r.throughput.managerCpuMsPerRequest,
    'protocol v2.0 / v2.1 throughput, 1 worker (req/s)': `${r.protocol.v20PerSec} / ${r.protocol.v21PerSec}`,
    'protocol v2.0 / v2.1 encode+decode of a 3 s frame (us)': `${r.protocol.microV20Us} / ${r.protocol.microV21Us}`,
    'recovery after kill -9: replacement READY median / max (ms) [goal < 1000; seed < 5000]': `${r.recovery.replacementReadyMs.median} / ${r.recovery.replacementReadyMs.max}`,
    'recovery: request killed halfway, extra latency over its undisturbed time (ms)': `${r.recovery.inFlightExtraMs} over ${r.recovery.inFlightBaseMs} (attempts ${r.recovery.inFlightAttempts})`,
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
