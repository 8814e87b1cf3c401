// The contract every in-process speech engine fulfils inside a worker child.

import type { EngineId, WordTimingTuple } from '../types.ts';
import type { CatalogVoice } from '../voices.ts';

export interface EngineOutput {
  /** s16le mono PCM. */
  pcm: Uint8Array;
  sampleRate: number;
  words: WordTimingTuple[] | null;
}

export interface SpeechEngine {
  readonly id: EngineId;
  /** Voices this engine serves, ids prefixed with the engine id. */
  voices(): CatalogVoice[];
  /** Synthesizes `text` with a voice id of this engine (`espeak:en-us`). */
  synthesize(text: string, voiceId: string, speed: number): Promise<EngineOutput>;
}

/** Copies int16 sample chunks into one little-endian byte array. */
export function int16ChunksToLE(chunks: readonly Int16Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total * 2);
  let offset = 0;
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  for (const c of chunks) {
    if (littleEndian) {
      out.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), offset);
    } else {
      const v = new DataView(out.buffer, offset, c.byteLength);
      for (let i = 0; i < c.length; i++) v.setInt16(i * 2, c[i]!, true);
    }
    offset += c.byteLength;
  }
  return out;
}

export class EngineError extends Error {
  readonly code: 'unknown_voice' | 'text_too_long' | 'engine_failed';
  constructor(code: EngineError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
  }
}
