// Pure engine time: eSpeak NG synthesizing in this process, with no service,
// no IPC and no edge around it (the same engine code the workers run).
import { synthesizeEspeakPcm } from '../../src/synth/engines/espeak-direct.ts';
import { VOICE } from './setup.ts';

export interface EngineTiming {
  /** Wall time. */
  ms: number;
  /** CPU time of this process (user + system) over the same span. */
  cpuMs: number;
  audioSeconds: number;
}

/** Milliseconds and seconds of audio of one synthesis of `text`. */
export async function timeEngine(text: string): Promise<EngineTiming> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await synthesizeEspeakPcm(text, VOICE);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, audioSeconds: out.pcm.byteLength / 2 / out.sampleRate };
}

/** One synthesis per chunk, in order: the sum is the engine work a job has to do. */
export async function timeEnginePerChunk(chunks: readonly string[]): Promise<EngineTiming & { perChunkMs: number[] }> {
  const perChunkMs: number[] = [];
  let audioSeconds = 0;
  let cpuMs = 0;
  for (const c of chunks) {
    const t = await timeEngine(c);
    perChunkMs.push(t.ms);
    audioSeconds += t.audioSeconds;
    cpuMs += t.cpuMs;
  }
  return { ms: perChunkMs.reduce((a, b) => a + b, 0), cpuMs, audioSeconds, perChunkMs };
}

const warmedOn = new Set<string>();

/**
 * One untimed pass over `text`, once per process, before the engine-alone phases time it.
 * eSpeak is a wasm2js build that V8 keeps re-optimizing as new text brings new type feedback:
 * in this process the first pass over the 50,000 characters took 8.3 s, the next ones ~4.5 s
 * (6.3 s after the workers' 12,000-character idle warm-up). Without this pass, whichever engine
 * phase came first in a round paid for it: with one round, the per-chunk sum, which made the
 * efficiency row look better than it is.
 */
export async function warmEngineOn(text: string): Promise<void> {
  if (warmedOn.has(text)) return;
  warmedOn.add(text);
  await synthesizeEspeakPcm(text, VOICE);
}

/** Loads the engine (first call) so no timed call pays for it. */
export async function warmEngine(): Promise<void> {
  await synthesizeEspeakPcm('Warm up.', VOICE);
}
