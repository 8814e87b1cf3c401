// A canonical WAV answer goes from the provider's socket to R2 without passing
// through the isolate: the backend reads only its 44-byte header (to check it
// and take the duration) and pipes the rest natively. A grown chunk's WAV is
// ~2.6 MB; read into the isolate and written out again, it cost the backend's
// invocation ~11 ms of CPU per chunk (docs/benchmarks.md, "Edge CPU").
import { concatBytes, readAscii } from '../../core/audio/bytes.ts';
import { WAV_HEADER_BYTES, pcmDurationMs, type PcmFormat } from '../../core/audio/wav.ts';
import type { PendingBody } from './providers/types.ts';

export interface CanonicalWav {
  format: PcmFormat;
  durationMs: number;
}

/**
 * The header of a WAV that is already what Lector stores: RIFF/WAVE, a 16-byte
 * PCM16 `fmt ` chunk, then `data` holding exactly the rest of `length` bytes.
 * Anything else (extra chunks, a streaming writer's 0xffffffff sizes) is null:
 * the caller reads the whole body and rewrites it as before.
 */
export function canonicalWavHeader(head: Uint8Array, length: number): CanonicalWav | null {
  if (head.byteLength < WAV_HEADER_BYTES || length < WAV_HEADER_BYTES) return null;
  const v = new DataView(head.buffer, head.byteOffset, WAV_HEADER_BYTES);
  if (readAscii(head, 0, 4) !== 'RIFF' || readAscii(head, 8, 4) !== 'WAVE' || readAscii(head, 12, 4) !== 'fmt ' || readAscii(head, 36, 4) !== 'data') return null;
  if (v.getUint32(4, true) !== length - 8 || v.getUint32(16, true) !== 16 || v.getUint32(40, true) !== length - WAV_HEADER_BYTES) return null;
  if (v.getUint16(20, true) !== 1 || v.getUint16(34, true) !== 16) return null;
  const format: PcmFormat = { channels: v.getUint16(22, true), sampleRate: v.getUint32(24, true), bitsPerSample: 16 };
  if (format.channels < 1 || format.sampleRate < 1) return null;
  return { format, durationMs: pcmDurationMs(length - WAV_HEADER_BYTES, format) };
}

/**
 * Reads at least `min` bytes from the front of `body` (fewer if it ends first)
 * and releases it, so the rest can still be piped.
 */
export async function readHead(body: ReadableStream<Uint8Array>, min: number): Promise<{ head: Uint8Array; ended: boolean }> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  let ended = false;
  try {
    while (n < min) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      parts.push(value);
      n += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return { head: parts.length === 1 ? parts[0]! : concatBytes(parts), ended };
}

/** The whole body: `head` and the rest read to the end (the path for anything not canonical). */
export async function readAll(head: Uint8Array, rest: PendingBody): Promise<Uint8Array> {
  const parts = [head];
  // A read-from stream cannot become a Response body again: read it piece by piece.
  const reader = rest.body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    parts.push(r.value);
  }
  return concatBytes(parts);
}

/**
 * Stores `head` + the rest in R2 as one object of `length` bytes, streaming:
 * R2 needs a known length, which a FixedLengthStream gives; a body shorter or
 * longer than announced fails the put, so a cut answer is never stored.
 */
export async function putStreamed(bucket: R2Bucket, key: string, head: Uint8Array, rest: PendingBody, options: R2PutOptions): Promise<void> {
  const fixed = new FixedLengthStream(rest.length, { highWaterMark: 1 << 20 });
  const writer = fixed.writable.getWriter();
  const feed = (async () => {
    await writer.write(head);
    writer.releaseLock();
    await rest.body.pipeTo(fixed.writable);
  })();
  const stored = bucket.put(key, fixed.readable, options);
  const [fed, put] = await Promise.allSettled([feed, stored]);
  if (put.status === 'rejected') throw put.reason;
  if (fed.status === 'rejected') throw fed.reason;
}
