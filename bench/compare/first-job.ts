// Time to first audio of the first long job on a freshly started stack, over N
// stacks (each started, warmed with one short job, left to go idle, then given
// the 50,000-character text): the efficiency table's TTFA row is one such job,
// and it varies more from stack to stack than from run to run on one stack.
//
//   N=5 node_modules/.bin/node bench/compare/first-job.ts
//   N=3 TEXT=novel node_modules/.bin/node bench/compare/first-job.ts   # the whole novel instead
//   N=6 COMPARE_GET=1 node_modules/.bin/node bench/compare/first-job.ts
//     # stacks alternate: chunk 0's audio inside its event (what the page asks for) / a GET after it
import { benchSlice, readNovel } from './corpus.ts';
import { median } from './stats.ts';
import { streamJob } from './lector-client.ts';
import { startBenchStack } from './setup.ts';
import { warmStack } from './warm.ts';

type Mode = 'inline' | 'get';
const stacks = Number(process.env.N ?? 5);
const text = process.env.TEXT === 'novel' ? readNovel() : benchSlice().text;
const modes: Mode[] = process.env.COMPARE_GET === '1' ? ['inline', 'get'] : ['inline'];
const runs: { mode: Mode; job: number; message: number; audio: number }[] = [];
for (let i = 0; i < stacks; i++) {
  const mode = modes[i % modes.length]!;
  const { stack } = await startBenchStack();
  try {
    await warmStack(stack);
    const j = await streamJob(stack.edgeUrl, text, { stopAfterFirstAudio: true, getFirstChunk: mode === 'get' });
    runs.push({ mode, job: j.jobEventMs, message: j.firstMessageMs, audio: j.firstAudioByteMs });
  } finally {
    await stack.stop();
  }
}
const ms = (n: number) => `${n.toFixed(0)} ms`;
console.log(`first long job (${text.length} chars) on ${stacks} fresh stacks, POST → event: job / first event: message / first audio byte:`);
for (const mode of modes) {
  const of = runs.filter((r) => r.mode === mode);
  console.log(mode === 'inline' ? "chunk 0's audio inside its event:" : "chunk 0's audio by GET after its event:");
  for (const r of of) console.log(`  ${ms(r.job)} / ${ms(r.message)} / ${ms(r.audio)}`);
  console.log(`  median: ${ms(median(of.map((r) => r.job)))} / ${ms(median(of.map((r) => r.message)))} / ${ms(median(of.map((r) => r.audio)))}`);
}
