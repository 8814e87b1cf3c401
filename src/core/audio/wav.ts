// WAV (RIFF, PCM 16-bit little-endian) encoding and parsing, runtime-free.
// Used by the synthesis service to frame engine PCM, by the edge to stitch a
// job's chunks into one file, and by tests to compare PCM byte for byte.

export interface PcmFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: 16;
}

export const WAV_HEADER_BYTES = 44;

/** A 44-byte canonical header for `dataBytes` of PCM. `dataBytes` may be 0xffffffff for "unknown" (streaming). */
export function wavHeader(format: PcmFormat, dataBytes: number): Uint8Array {
  const buf = new Uint8Array(WAV_HEADER_BYTES);
  const v = new DataView(buf.buffer);
  const blockAlign = format.channels * (format.bitsPerSample / 8);
  const riffSize = Math.min(0xffffffff, dataBytes + 36);
  writeAscii(buf, 0, 'RIFF');
  v.setUint32(4, riffSize, true);
  writeAscii(buf, 8, 'WAVE');
  writeAscii(buf, 12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, format.channels, true);
  v.setUint32(24, format.sampleRate, true);
  v.setUint32(28, format.sampleRate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, format.bitsPerSample, true);
  writeAscii(buf, 36, 'data');
  v.setUint32(40, Math.min(0xffffffff, dataBytes), true);
  return buf;
}

/** Header + PCM in one buffer. */
export function encodeWav(pcm: Uint8Array, format: PcmFormat): Uint8Array {
  const out = new Uint8Array(WAV_HEADER_BYTES + pcm.byteLength);
  out.set(wavHeader(format, pcm.byteLength), 0);
  out.set(pcm, WAV_HEADER_BYTES);
  return out;
}

export interface ParsedWav {
  format: PcmFormat;
  /** The PCM bytes of the `data` chunk (a view into the input). */
  pcm: Uint8Array;
  durationMs: number;
}

export class WavFormatError extends Error {
  readonly code = 'invalid_wav';
  constructor(message: string) {
    super(message);
    this.name = 'WavFormatError';
  }
}

/** Parses a RIFF/WAVE file with a PCM 16-bit `fmt ` chunk; skips unknown chunks (LIST, fact...). */
export function parseWav(bytes: Uint8Array): ParsedWav {
  if (bytes.byteLength < 12 || readAscii(bytes, 0, 4) !== 'RIFF' || readAscii(bytes, 8, 4) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  let format: PcmFormat | undefined;
  while (offset + 8 <= bytes.byteLength) {
    const id = readAscii(bytes, offset, 4);
    let size = v.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      const audioFormat = v.getUint16(body, true);
      const bits = v.getUint16(body + 14, true);
      if (audioFormat !== 1 || bits !== 16) throw new WavFormatError(`unsupported WAV encoding (format ${audioFormat}, ${bits} bits)`);
      format = { channels: v.getUint16(body + 2, true), sampleRate: v.getUint32(body + 4, true), bitsPerSample: 16 };
    } else if (id === 'data') {
      if (!format) throw new WavFormatError('data chunk before fmt chunk');
      // Streaming writers put 0xffffffff here; take what is present.
      if (size > bytes.byteLength - body) size = bytes.byteLength - body;
      const pcm = bytes.subarray(body, body + size);
      return { format, pcm, durationMs: pcmDurationMs(pcm.byteLength, format) };
    }
    offset = body + size + (size % 2);
  }
  throw new WavFormatError('no data chunk');
}

export function pcmDurationMs(pcmBytes: number, format: PcmFormat): number {
  const bytesPerSecond = format.sampleRate * format.channels * (format.bitsPerSample / 8);
  return Math.round((pcmBytes / bytesPerSecond) * 1000);
}

/** Bytes of silence for `ms` milliseconds, aligned to whole sample frames. */
export function silenceBytes(ms: number, format: PcmFormat): number {
  const frames = Math.round((ms / 1000) * format.sampleRate);
  return frames * format.channels * (format.bitsPerSample / 8);
}

function writeAscii(buf: Uint8Array, offset: number, s: string): void {
  for (let i = 0; i < s.length; i++) buf[offset + i] = s.charCodeAt(i);
}

function readAscii(buf: Uint8Array, offset: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(buf[offset + i] ?? 0);
  return s;
}
