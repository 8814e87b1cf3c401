// Child process of the comparison bench: reads a text on stdin, synthesizes it
// with Echogarden's eSpeak engine through its public API (sentence by sentence,
// its default for plain text), and prints one JSON line of timings.
//   node bench/compare/peer-child.ts <path of the echogarden package>  < text
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface RawAudio {
  audioChannels: Float32Array[];
  sampleRate: number;
}
interface EchogardenApi {
  synthesize(
    input: string,
    options: Record<string, unknown>,
    callbacks?: { onSentence?: (e: { index: number }) => Promise<void>; logLevel?: string },
  ): Promise<{ audio: RawAudio; voice: string }>;
}

/**
 * The same engine and voice as Lector (eSpeak NG, en-us) at the same rate:
 * Lector speaks at eSpeak's default 175 words per minute, Echogarden's default is 150.
 */
const OPTIONS = { engine: 'espeak', language: 'en-US', voice: 'en-us', espeak: { rate: 175 } };

const packageDir = process.argv[2];
if (!packageDir) throw new TypeError('usage: peer-child.ts <echogarden package dir> < text');
let text = '';
for await (const chunk of process.stdin) text += String(chunk);

const api = (await import(pathToFileURL(join(packageDir, 'dist/api/API.js')).href)) as EchogardenApi;
// Warm-up: loads eSpeak, the voice list and the lexicons, as Lector's workers are already warm.
await api.synthesize('Warm up.', OPTIONS, { logLevel: 'warning' });

let firstSentenceMs = NaN;
let sentences = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await api.synthesize(text, OPTIONS, {
  logLevel: 'warning',
  onSentence: async () => {
    if (sentences++ === 0) firstSentenceMs = performance.now() - t0;
  },
});
const totalMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const samples = result.audio.audioChannels[0]?.length ?? 0;
process.stdout.write(
  `${JSON.stringify({
    totalMs,
    firstSentenceMs,
    sentences,
    audioSeconds: samples / result.audio.sampleRate,
    voice: result.voice,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  })}\n`,
);
