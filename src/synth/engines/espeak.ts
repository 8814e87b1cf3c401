// eSpeak NG (emscripten build) as a deterministic engine.
//
// The module keeps state between calls, so the same text can give different
// samples depending on history. After start-up the whole heap is snapshotted;
// every synthesis first restores it, which makes output a pure function of
// (text, voice, speed): the service and `synthesizeEspeakPcm` agree byte for byte.

import init from '@echogarden/espeak-ng-emscripten';
import type { ESpeakNGWorker, EspeakModule } from '@echogarden/espeak-ng-emscripten';
import type { CatalogVoice } from '../voices.ts';
import { lazyEspeakData } from './espeak-data.ts';
import { EngineError, int16ChunksAsLEParts, int16ChunksToLE, joinParts, type EngineAudio, type EngineOutput, type SpeechEngine } from './engine.ts';
import { prepareEspeakText, wordTimings, type RawWordEvent } from './espeak-text.ts';
import { loadTimeStretcher, type TimeStretcher } from './time-stretch.ts';

/** eSpeak's default rate in words per minute (speed 1.0). */
export const ESPEAK_DEFAULT_RATE = 175;
export const ESPEAK_MIN_RATE = 80;
export const ESPEAK_MAX_RATE = 450;
/**
 * Bytes reserved for the binding's string scratch buffer before the snapshot.
 * Longer strings would make the binding allocate outside the snapshot's view
 * of the heap, so longer texts are refused.
 */
const SCRATCH_BYTES = 512 * 1024;
const MAX_TEXT_BYTES = SCRATCH_BYTES - 1024;

const WARM_UP_TEXT = 'Warming up: the quick brown fox jumps over the lazy dog, 1, 2, 3.';

export function espeakRate(speed: number): number {
  return Math.min(ESPEAK_MAX_RATE, Math.max(ESPEAK_MIN_RATE, Math.round(ESPEAK_DEFAULT_RATE * speed)));
}

/** The speed-up left for Sonic after eSpeak's own rate (1 inside eSpeak's 80–450 wpm). */
export function residualSpeed(speed: number): number {
  const r = speed / (espeakRate(speed) / ESPEAK_DEFAULT_RATE);
  return Math.abs(r - 1) < 0.015 ? 1 : r; // wpm are integers: ±1 wpm is not worth a stretch
}

interface EspeakVoiceEntryInternal {
  descriptor: CatalogVoice;
  identifier: string;
}

export class EspeakEngine implements SpeechEngine {
  readonly id = 'espeak';
  readonly sampleRate: number;
  private readonly module: EspeakModule;
  private readonly worker: ESpeakNGWorker;
  private readonly snapshot: Uint8Array;
  private readonly byId: Map<string, EspeakVoiceEntryInternal>;
  private readonly stretcher: TimeStretcher;

  private constructor(module: EspeakModule, worker: ESpeakNGWorker, byId: Map<string, EspeakVoiceEntryInternal>, stretcher: TimeStretcher) {
    this.module = module;
    this.worker = worker;
    this.byId = byId;
    this.stretcher = stretcher;
    this.sampleRate = worker.samplerate;
    this.snapshot = heapSnapshot(module.HEAPU8);
  }

  /**
   * Loads the module and snapshots its heap. `warmUp` synthesizes one sentence
   * afterwards so the JIT has compiled the (wasm2js) engine before the first
   * request; it does not change any later output, which starts from the snapshot.
   */
  static async load(options: { warmUp?: boolean } = {}): Promise<EspeakEngine> {
    // Data files are read as eSpeak opens them: ~1 MB for English instead of the 24 MB package.
    const module = await init(lazyEspeakData().moduleOptions);
    const worker = new module.eSpeakNGWorker();
    // Grow the binding's string scratch buffer once: a long string argument
    // forces a temporary allocation that the next call folds into a bigger
    // buffer. set_voice copies at most 60 bytes of a name, so this is cheap.
    worker.set_voice('x'.repeat(SCRATCH_BYTES));
    const byId = new Map<string, EspeakVoiceEntryInternal>();
    const sampleRate = worker.samplerate;
    const entries = worker.list_voices();
    // A language name is an alias of the voice that lists it with the best (lowest) priority.
    const bestForLanguage = new Map<string, { priority: number; identifier: string }>();
    for (const v of entries) {
      for (const l of v.languages) {
        const name = l.name.toLowerCase();
        const cur = bestForLanguage.get(name);
        if (!cur || l.priority < cur.priority) bestForLanguage.set(name, { priority: l.priority, identifier: v.identifier });
      }
    }
    for (const v of entries) {
      const base = v.identifier.split('/').pop()!.toLowerCase();
      const primary = (v.languages[0]?.name ?? base).toLowerCase();
      const local = byId.has(`espeak:${primary}`) ? base : primary;
      const id = `espeak:${local}`;
      if (byId.has(id)) continue;
      const languages = v.languages.map((l) => l.name.toLowerCase()).filter((n) => bestForLanguage.get(n)?.identifier === v.identifier);
      const aliases = [...new Set([...languages, base, v.identifier.toLowerCase()])];
      byId.set(id, {
        identifier: v.identifier,
        descriptor: { id, engine: 'espeak', language: primary, name: v.name.trim(), sampleRate, aliases },
      });
    }
    if (worker.set_voice('gmw/en-US') !== 0) throw new EngineError('engine_failed', 'eSpeak: default voice en-us missing');
    const engine = new EspeakEngine(module, worker, byId, await loadTimeStretcher());
    if (options.warmUp) engine.synthesizeSync(WARM_UP_TEXT, 'espeak:en-us', 1);
    return engine;
  }

  voices(): CatalogVoice[] {
    return [...this.byId.values()].map((v) => v.descriptor);
  }

  /** Synchronous core, also used by the in-process reference helper: the PCM in one array. */
  synthesizeSync(text: string, voiceId: string, speed: number): EngineOutput {
    const out = this.render(text, voiceId, speed);
    return { pcm: joinParts(out.pcmParts), sampleRate: out.sampleRate, words: out.words };
  }

  async synthesize(text: string, voiceId: string, speed: number): Promise<EngineOutput> {
    return this.synthesizeSync(text, voiceId, speed);
  }

  /** The worker's path: the PCM in the pieces eSpeak handed over, not joined. */
  async synthesizeParts(text: string, voiceId: string, speed: number): Promise<EngineAudio> {
    return this.render(text, voiceId, speed);
  }

  private render(text: string, voiceId: string, speed: number): EngineAudio {
    const voice = this.byId.get(voiceId);
    if (!voice) throw new EngineError('unknown_voice', `eSpeak has no voice ${voiceId}`);
    const prepared = prepareEspeakText(text);
    if (Buffer.byteLength(prepared.text, 'utf8') > MAX_TEXT_BYTES) {
      throw new EngineError('text_too_long', `text longer than ${MAX_TEXT_BYTES} UTF-8 bytes after escaping`);
    }
    this.restoreHeap();
    if (this.worker.set_voice(voice.identifier) !== 0) throw new EngineError('engine_failed', `eSpeak could not load ${voice.identifier}`);
    if (speed !== 1) this.worker.set_rate(espeakRate(speed));
    const chunks: Int16Array[] = [];
    const events: RawWordEvent[] = [];
    this.worker.synthesize(prepared.text, (samples, evs) => {
      if (samples.length > 0) chunks.push(samples);
      for (const e of evs) {
        if (e.type === 'word') events.push({ textPosition: e.text_position, wordLength: e.word_length, audioMs: e.audio_position });
      }
      return 0;
    });
    // Each chunk is the binding's own copy of the samples (HEAP16.slice), so views of them stay valid.
    let parts: Uint8Array[] = int16ChunksAsLEParts(chunks);
    // Beyond eSpeak's rate limits Sonic stretches the rest; word times scale with it.
    const residual = residualSpeed(speed);
    if (residual !== 1) {
      parts = [this.stretcher.stretch(int16ChunksToLE(chunks), this.sampleRate, residual)];
      for (const e of events) e.audioMs = Math.round(e.audioMs / residual);
    }
    let pcmBytes = 0;
    for (const p of parts) pcmBytes += p.byteLength;
    const totalMs = Math.round((pcmBytes / 2 / this.sampleRate) * 1000);
    return { pcmParts: parts, pcmBytes, sampleRate: this.sampleRate, words: wordTimings(prepared, events, totalMs) };
  }

  private restoreHeap(): void {
    const heap = this.module.HEAPU8;
    heap.set(this.snapshot);
    // Everything past the snapshot was zero when it was taken (or did not exist yet).
    heap.fill(0, this.snapshot.length);
  }
}

/**
 * The heap up to its last non-zero byte: after start-up about 1.7 MB of the
 * 16 MiB heap, so each worker keeps ~15 MiB less. Restoring it and zeroing the
 * rest gives the same bytes as restoring a full copy.
 */
export function heapSnapshot(heap: Uint8Array): Uint8Array {
  let end = heap.length;
  const whole = heap.byteOffset % 4 === 0 ? heap.length >> 2 : 0;
  // Bytes past the last whole 4-byte word, then whole zero words (4x fewer steps over ~15 MiB of zeros),
  // then byte by byte inside the last non-zero word.
  while (end > whole * 4 && heap[end - 1] === 0) end--;
  if (whole > 0 && end === whole * 4) {
    const words = new Uint32Array(heap.buffer, heap.byteOffset, whole);
    let w = whole;
    while (w > 0 && words[w - 1] === 0) w--;
    end = w * 4;
  }
  while (end > 0 && heap[end - 1] === 0) end--;
  return heap.slice(0, end);
}
