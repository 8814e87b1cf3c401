// The contract every in-process speech engine fulfils inside a worker child.

import { concatBytes } from '../../core/audio/bytes.ts';
import type { EngineId, WordTimingTuple } from '../types.ts';
import type { CatalogVoice } from '../voices.ts';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface EngineOutput {
  /** s16le mono PCM. */
  pcm: Uint8Array;
  sampleRate: number;
  words: WordTimingTuple[] | null;
}

/**
 * PCM as the engine produced it, in pieces: the worker writes them to its
 * stdout as they are, so no joined copy of a whole chunk's audio is made.
 */
export interface EngineAudio {
  /** s16le mono PCM, in order. */
  pcmParts: readonly Uint8Array[];
  /** Sum of the parts' byte lengths. */
  pcmBytes: number;
  sampleRate: number;
  words: WordTimingTuple[] | null;
}

export interface SpeechEngine {
  readonly id: EngineId;
  /** Voices this engine serves, ids prefixed with the engine id. */
  voices(): CatalogVoice[];
  /** Synthesizes `text` with a voice id of this engine (`espeak:en-us`), the PCM in the engine's own pieces. */
  synthesizeParts(text: string, voiceId: string, speed: number): Promise<EngineAudio>;
}

/** An EngineOutput as EngineAudio (one part). */
export function asEngineAudio(out: EngineOutput): EngineAudio {
  return { pcmParts: [out.pcm], pcmBytes: out.pcm.byteLength, sampleRate: out.sampleRate, words: out.words };
}

/** Byte views of int16 sample chunks on a little-endian machine (no copy); one joined copy on a big-endian one. */
export function int16ChunksAsLEParts(chunks: readonly Int16Array[]): Uint8Array[] {
  if (!LITTLE_ENDIAN) return [int16ChunksToLE(chunks)];
  return chunks.map((c) => new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
}

/** The parts joined into one array (one part: returned as is). */
export function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : concatBytes(parts);
}


/** Copies int16 sample chunks into one little-endian byte array. */
export function int16ChunksToLE(chunks: readonly Int16Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total * 2);
  let offset = 0;
  for (const c of chunks) {
    if (LITTLE_ENDIAN) {
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
