// `npm run bench [-- edge|synth]`: prints every benchmark figure, each
// measured side by side in this one run.
import { existsSync } from 'node:fs';
import { benchEdge } from './edge.ts';

const only = process.argv[2];
const rows: [string, string][] = [];

if (!only || only === 'edge') {
  const e = await benchEdge();
  rows.push(
    [`edge: chunks in the job`, String(e.chunks)],
    ['edge: job wall time (s)', e.wallSeconds.toFixed(1)],
    ['edge: workerd CPU per chunk (ms)', e.cpuMsPerChunk.toFixed(3)],
    ['edge: workerd CPU per invocation, mean (ms)', e.cpuMsPerInvocation.toFixed(3)],
    ['edge: invocations per chunk', e.invocationsPerChunk.toFixed(2)],
    ['edge: Durable Object requests per chunk', e.doRequestsPerChunk.toFixed(2)],
    ['edge: SQLite rows written per chunk', e.rowsWrittenPerChunk.toFixed(2)],
    ['edge: R2 writes per chunk', e.r2OpsPerChunk.toFixed(2)],
    ['edge: alarms for the job', String(e.alarms)],
  );
}

if ((!only || only === 'synth') && existsSync(new URL('./synth/run.ts', import.meta.url))) {
  const mod = (await import('./synth/run.ts')) as { benchSynth?: () => Promise<Record<string, string | number>> };
  if (mod.benchSynth) for (const [k, v] of Object.entries(await mod.benchSynth())) rows.push([`synth: ${k}`, String(v)]);
}

const width = Math.max(...rows.map(([k]) => k.length));
console.log(`\nLector benchmark (npm run bench${only ? ` -- ${only}` : ''}), ${new Date().toISOString()}\n`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
