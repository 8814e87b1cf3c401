// Edge cost of a long job on local workerd (issue 3 §8): the workerd
// process's CPU time per chunk and per invocation (from /proc/<pid>/stat
// before and after), Durable Object requests, rows written and R2 operations
// per chunk. Run: npm run bench -- edge   (BENCH_EDGE_CHUNKS=2000 by default)
import { createServer } from 'node:http';
import type { CreateJobResponse, JobState } from '../src/core/api/types.ts';
import { startStack, type Stack } from '../scripts/stack/stack.ts';
import { processesInGroups } from './compare/proc.ts';

/** utime + stime (ms) of every workerd process in the wrangler process group. */
function workerdCpuMs(pgid: number): number {
  return processesInGroups([pgid])
    .filter((p) => p.comm.includes('workerd'))
    .reduce((ms, p) => ms + p.cpuMs, 0);
}

async function runJob(stack: Stack, chunks: number): Promise<{ jobId: string; state: JobState; wallMs: number }> {
  // One short paragraph per chunk keeps synthesis cheap so the edge dominates.
  const text = Array.from({ length: chunks }, (_, i) => `Item ${i}.`).join('\n\n');
  const t0 = performance.now();
  const res = await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
  const job = (await res.json()) as CreateJobResponse;
  for (;;) {
    const state = (await (await fetch(`${stack.edgeUrl}/api/tts/${job.jobId}`)).json()) as JobState;
    if (['completed', 'failed'].includes(state.status)) return { jobId: job.jobId, state, wallMs: performance.now() - t0 };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Streams a job's events to the end, optionally with inline base64 audio; returns the job id. */
async function streamJob(stack: Stack, chunks: number, inline: boolean): Promise<string> {
  const text = Array.from({ length: chunks }, (_, i) => `Inline check sentence ${i}.`).join('\n\n');
  const res = await fetch(`${stack.edgeUrl}/api/tts-stream${inline ? '?inline=base64' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let tail = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    tail = (tail + value).slice(-200);
    if (/event: (end|error)/.test(tail)) break;
  }
  await reader.cancel();
  return res.headers.get('x-lector-job-id') ?? '';
}

/** Extra workerd CPU per chunk when events carry base64 audio (issue 5 §1), measured against the same job without it. */
export async function benchInline(chunks = Number(process.env.BENCH_INLINE_CHUNKS ?? 200)): Promise<{ plainMsPerChunk: number; inlineMsPerChunk: number; extraMsPerChunk: number }> {
  const stack = await startStack();
  try {
    await streamJob(stack, 10, true);
    const results = { plain: 0, inline: 0 };
    // Alternate to spread machine noise over both.
    for (const mode of ['plain', 'inline', 'plain', 'inline'] as const) {
      const before = workerdCpuMs(stack.edge.pid);
      await streamJob(stack, chunks / 2, mode === 'inline');
      results[mode] += workerdCpuMs(stack.edge.pid) - before;
    }
    return { plainMsPerChunk: results.plain / chunks, inlineMsPerChunk: results.inline / chunks, extraMsPerChunk: (results.inline - results.plain) / chunks };
  } finally {
    await stack.stop();
  }
}

export interface EdgeFigures {
  chunks: number;
  wallSeconds: number;
  cpuMsPerChunk: number;
  cpuMsPerInvocation: number;
  invocationsPerChunk: number;
  doRequestsPerChunk: number;
  rowsWrittenPerChunk: number;
  r2OpsPerChunk: number;
  alarms: number;
}

interface TraceRow {
  kind: string;
  entrypoint: string | null;
  cpuTime: number | null;
}

/** Collects the Tail Worker's trace rows (one per invocation of any Worker or Durable Object). */
async function startTraceCollector(): Promise<{ url: string; rows: TraceRow[]; close(): void }> {
  const rows: TraceRow[] = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      rows.push(...(JSON.parse(body) as TraceRow[]));
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}/`, rows, close: () => srv.close() };
}

export async function benchEdge(chunks = Number(process.env.BENCH_EDGE_CHUNKS ?? 2000)): Promise<EdgeFigures> {
  // CPU on a plain stack: the bench Tail Worker would add its own CPU to workerd's.
  const stack = await startStack();
  let cpu: { before: number; after: number; wallMs: number; rowsWritten: number; alarms: number };
  try {
    await runJob(stack, 20); // warm-up: JIT, SQLite, workers
    const before = workerdCpuMs(stack.edge.pid);
    const { jobId, state, wallMs } = await runJob(stack, chunks);
    const after = workerdCpuMs(stack.edge.pid);
    if (state.status !== 'completed') throw new Error(`bench job ${state.status}: ${state.errorMessage}`);
    const stats = (await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}/stats`)).json()) as { alarms: number; rowsWritten: number };
    cpu = { before, after, wallMs, rowsWritten: stats.rowsWritten, alarms: stats.alarms };
  } finally {
    await stack.stop();
  }
  // Invocation counts on a second stack with the Tail Worker (a smaller job: counts are per chunk).
  const countChunks = Math.min(chunks, 400);
  const traces = await startTraceCollector();
  const traced = await startStack({ tailCollectorUrl: traces.url });
  let rows: TraceRow[];
  try {
    await runJob(traced, 20);
    await new Promise((r) => setTimeout(r, 1000));
    traces.rows.length = 0;
    await runJob(traced, countChunks);
    await new Promise((r) => setTimeout(r, 1500)); // let the last traces arrive
    rows = [...traces.rows];
  } finally {
    await traced.stop();
    traces.close();
  }
  const perChunk = (n: number) => n / countChunks;
  const invocationsPerChunk = perChunk(rows.length);
  const doRequestsPerChunk = perChunk(rows.filter((r) => r.entrypoint === 'TtsJobDurableObject' || r.entrypoint === 'RouterCounter' || r.entrypoint === 'UsageLimiter').length);
  const backendPerChunk = perChunk(rows.filter((r) => r.entrypoint === 'BackendEntrypoint').length);
  return {
    chunks,
    wallSeconds: cpu.wallMs / 1000,
    cpuMsPerChunk: (cpu.after - cpu.before) / chunks,
    cpuMsPerInvocation: (cpu.after - cpu.before) / (invocationsPerChunk * chunks),
    invocationsPerChunk,
    doRequestsPerChunk,
    rowsWrittenPerChunk: cpu.rowsWritten / chunks,
    r2OpsPerChunk: backendPerChunk, // one PUT per backend call; no failures in these runs
    alarms: cpu.alarms,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchEdge());
}
