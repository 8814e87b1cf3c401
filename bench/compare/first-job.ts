// Time to first audio of the first long job on a freshly started stack, over N
// stacks (each started, warmed with one short job, left to go idle, then given
// the 50,000-character text): the efficiency table's TTFA row is one such job,
// and it varies more from stack to stack than from run to run on one stack.
//
//   N=5 node_modules/.bin/node bench/compare/first-job.ts
//   N=3 TEXT=novel node_modules/.bin/node bench/compare/first-job.ts   # the whole novel instead
import { benchSlice, readNovel } from './corpus.ts';
import { median } from './stats.ts';
import { streamJob } from './lector-client.ts';
import { startBenchStack } from './setup.ts';
import { warmStack } from './warm.ts';

const stacks = Number(process.env.N ?? 5);
const text = process.env.TEXT === 'novel' ? readNovel() : benchSlice().text;
const runs: { job: number; message: number; audio: number }[] = [];
for (let i = 0; i < stacks; i++) {
  const { stack } = await startBenchStack();
  try {
    await warmStack(stack);
    const j = await streamJob(stack.edgeUrl, text, { stopAfterFirstAudio: true });
    runs.push({ job: j.jobEventMs, message: j.firstMessageMs, audio: j.firstAudioByteMs });
  } finally {
    await stack.stop();
  }
}
const ms = (n: number) => `${n.toFixed(0)} ms`;
console.log(`first long job (${text.length} chars) on ${stacks} fresh stacks, POST → event: job / first event: message / first audio byte:`);
for (const r of runs) console.log(`  ${ms(r.job)} / ${ms(r.message)} / ${ms(r.audio)}`);
console.log(`median: ${ms(median(runs.map((r) => r.job)))} / ${ms(median(runs.map((r) => r.message)))} / ${ms(median(runs.map((r) => r.audio)))}`);
