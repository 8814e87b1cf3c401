// Pitch-preserving time stretch of s16le mono PCM with Sonic (the speed-up
// library eSpeak NG itself links natively; here its WASM build,
// @echogarden/sonic-wasm). Used where an engine's own rate control stops
// short of Lector's 0.25–4.0 speed range: eSpeak's rate ends at 80 and 450
// words per minute (0.46× and 2.57× of its default 175).
import Sonic from '@echogarden/sonic-wasm';

interface SonicModule {
  HEAP16: Int16Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _sonicChangeShortSpeed(ptr: number, samples: number, speed: number, pitch: number, rate: number, volume: number, useChordPitch: number, sampleRate: number, channels: number): number;
}

export interface TimeStretcher {
  /** `pcm` (s16le mono) played `speed` times as fast, same pitch. Deterministic. */
  stretch(pcm: Uint8Array, sampleRate: number, speed: number): Uint8Array;
}

let loading: Promise<TimeStretcher> | undefined;

export function loadTimeStretcher(): Promise<TimeStretcher> {
  loading ??= (Sonic as unknown as () => Promise<SonicModule>)().then((m) => ({
    stretch(pcm: Uint8Array, sampleRate: number, speed: number): Uint8Array {
      const n = pcm.byteLength >> 1;
      if (n === 0 || speed === 1) return pcm;
      // Sonic writes its output over the input buffer: room for the longer result.
      const capacity = Math.ceil(n / Math.min(speed, 1)) + sampleRate;
      const ptr = m._malloc(capacity * 2);
      try {
        new Uint8Array(m.HEAP16.buffer, ptr, n * 2).set(pcm.subarray(0, n * 2));
        const out = m._sonicChangeShortSpeed(ptr, n, speed, 1, 1, 1, 0, sampleRate, 1);
        if (out < 0 || out > capacity) throw new Error(`sonic returned ${out} samples for ${n} in a buffer of ${capacity}`);
        return new Uint8Array(m.HEAP16.buffer, ptr, out * 2).slice();
      } finally {
        m._free(ptr);
      }
    },
  }));
  return loading;
}
