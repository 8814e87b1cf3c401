// `npm run bench [-- efficiency|edge|inline|synth|encoders|ttfa|compare|novel|audiobook]`: prints every benchmark
// figure, each measured side by side in this one run. Without a section name it
// runs all of them except `novel` (minutes long; add BENCH_NOVEL=1 to include it).
import { existsSync } from 'node:fs';
import { benchEdge, benchInline } from './edge.ts';
import { benchEncoders } from './encoders.ts';
import { benchCompare } from './compare/run.ts';
import { benchEfficiency } from './efficiency/run.ts';
import { printRows, type BenchRow } from './compare/report.ts';
import { benchNovel } from './novel.ts';
import { benchAudiobook } from './audiobook.ts';
import { benchTtfa } from './ttfa.ts';

const SECTIONS = ['efficiency', 'edge', 'inline', 'synth', 'encoders', 'ttfa', 'compare', 'novel', 'audiobook'] as const;
const only = process.argv[2];
if (only !== undefined && !(SECTIONS as readonly string[]).includes(only)) {
  console.error(`unknown section "${only}"; sections: ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const runs = (section: (typeof SECTIONS)[number]): boolean =>
  only ? only === section : (section !== 'novel' && section !== 'audiobook') || process.env.BENCH_NOVEL === '1';
const rows: BenchRow[] = [];
const add = (prefix: string, section: readonly BenchRow[]) => rows.push(...section.map((r) => ({ ...r, figure: `${prefix}: ${r.figure}` })));
const started = performance.now();

// Issue 12's goal table first: each row with this run's figure and its goal.
if (runs('efficiency')) add('efficiency', (await benchEfficiency()).rows);

if (runs('edge')) {
  const e = await benchEdge();
  const edgeRows: [string, string][] = [
    [`edge: chunks in the job`, String(e.chunks)],
    ['edge: job wall time (s)', e.wallSeconds.toFixed(1)],
    ['edge: workerd CPU per chunk (ms)', e.cpuMsPerChunk.toFixed(3)],
    ['edge: workerd CPU per invocation, mean (ms)', e.cpuMsPerInvocation.toFixed(3)],
    ['edge: invocations per chunk', e.invocationsPerChunk.toFixed(2)],
    ['edge: Durable Object requests per chunk', e.doRequestsPerChunk.toFixed(2)],
    ['edge: SQLite rows written per chunk', e.rowsWrittenPerChunk.toFixed(2)],
    ['edge: R2 writes per chunk', e.r2OpsPerChunk.toFixed(2)],
    ['edge: alarms for the job', String(e.alarms)],
  ];
  rows.push(...edgeRows.map(([figure, value]) => ({ figure, value })));
}

if (runs('inline')) {
  const i = await benchInline();
  rows.push(
    { figure: 'inline audio: workerd CPU per chunk, plain events (ms)', value: i.plainMsPerChunk.toFixed(3) },
    { figure: 'inline audio: workerd CPU per chunk, base64 audio in events (ms)', value: i.inlineMsPerChunk.toFixed(3) },
    { figure: 'inline audio: extra CPU per chunk (ms)', value: i.extraMsPerChunk.toFixed(3) },
  );
}

if (runs('synth') && existsSync(new URL('./synth/run.ts', import.meta.url))) {
  const mod = (await import('./synth/run.ts')) as { benchSynth?: () => Promise<Record<string, string | number>> };
  if (mod.benchSynth) for (const [k, v] of Object.entries(await mod.benchSynth())) rows.push({ figure: `synth: ${k}`, value: String(v) });
}

if (runs('encoders')) add('encoders', (await benchEncoders()).rows);
if (runs('ttfa')) add('ttfa', (await benchTtfa()).rows);
if (runs('compare')) add('compare', (await benchCompare()).rows);
if (runs('novel')) add('novel', (await benchNovel()).rows);
if (runs('audiobook')) add('audiobook', (await benchAudiobook()).rows);

console.log(`\nLector benchmark (npm run bench${only ? ` -- ${only}` : ''}), ${new Date().toISOString()}, took ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
printRows(rows);
