// FLAC without compression: a STREAMINFO header and frames whose subframes are
// VERBATIM (the PCM samples as they are), each frame checked by its CRC-8 and
// CRC-16. This is framing, not encoding, so the edge can stream a job's PCM
// chunks as a valid FLAC file (uncompressed: the same size as the PCM).
import { concatBytes } from '../bytes.ts';

/** Samples per frame (FLAC's common block size). */
export const FLAC_BLOCK = 4096;
const RATE_CODES: Record<number, number> = { 8000: 0x4, 16000: 0x5, 22050: 0x6, 24000: 0x7, 32000: 0x8, 44100: 0x9, 48000: 0xa, 96000: 0xb };

function crc8(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) {
    c ^= b;
    for (let i = 0; i < 8; i++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  }
  return c;
}

function crc16(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) {
    c ^= b << 8;
    for (let i = 0; i < 8; i++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
  }
  return c;
}

/** FLAC's UTF-8-like coding of a frame's first sample number (up to 36 bits). */
function codedNumber(n: number): number[] {
  if (n < 0x80) return [n];
  const limits = [0x800, 0x10000, 0x200000, 0x4000000, 0x80000000, 0x1000000000];
  const bytes = limits.findIndex((l) => n < l) + 2;
  const out: number[] = [];
  let v = n;
  for (let i = 0; i < bytes - 1; i++) {
    out.unshift(0x80 | (v % 64));
    v = Math.floor(v / 64);
  }
  out.unshift(((0xff << (8 - bytes)) & 0xff) | v);
  return out;
}

/** `fLaC` and a STREAMINFO block for 16-bit mono or stereo PCM of unknown length (a stream). */
export function flacStreamHeader(sampleRate: number, channels: number): Uint8Array {
  const info = new Uint8Array(4 + 4 + 34);
  info.set([0x66, 0x4c, 0x61, 0x43]);
  info.set([0x80, 0, 0, 34], 4); // last metadata block, STREAMINFO, 34 bytes
  const v = new DataView(info.buffer, 8);
  v.setUint16(0, FLAC_BLOCK);
  v.setUint16(2, FLAC_BLOCK);
  // min/max frame size unknown (0); then 20 bits rate, 3 bits channels-1, 5 bits bps-1, 36 bits samples (0 = unknown), MD5 0.
  const rate = sampleRate & 0xfffff;
  v.setUint8(10, rate >> 12);
  v.setUint8(11, (rate >> 4) & 0xff);
  v.setUint8(12, ((rate & 0x0f) << 4) | ((channels - 1) << 1) | ((16 - 1) >> 4));
  v.setUint8(13, ((16 - 1) & 0x0f) << 4);
  return info;
}

/** One frame of interleaved PCM16 little-endian `pcm` starting at sample `first` (a multiple of FLAC_BLOCK). */
function frame(pcm: Uint8Array, channels: number, first: number, sampleRate: number): Uint8Array {
  const n = pcm.length / (2 * channels);
  // Some readers want the rate in the frame header; 0 means "see STREAMINFO".
  const rateCode = RATE_CODES[sampleRate] ?? 0;
  // Fixed block size: every frame but the last holds FLAC_BLOCK samples and is numbered by frame.
  const head = [0xff, 0xf8, 0x70 | rateCode, ((channels - 1) << 4) | 0x08, ...codedNumber(first / FLAC_BLOCK), (n - 1) >> 8, (n - 1) & 0xff];
  const header = Uint8Array.from(head);
  const body = new Uint8Array(header.length + 1 + channels * (1 + 2 * n) + 2);
  body.set(header);
  body[header.length] = crc8(header);
  let o = header.length + 1;
  for (let ch = 0; ch < channels; ch++) {
    body[o++] = 0x02; // VERBATIM subframe, no wasted bits
    for (let i = 0; i < n; i++) {
      const at = 2 * (i * channels + ch);
      body[o++] = pcm[at + 1]!; // big-endian in FLAC
      body[o++] = pcm[at]!;
    }
  }
  const crc = crc16(body.subarray(0, o));
  body[o] = crc >> 8;
  body[o + 1] = crc & 0xff;
  return body;
}

export interface FlacFramerState {
  sampleRate: number;
  /** Samples already written as frames. */
  written: number;
  /** PCM not yet framed (less than one block). */
  carry: Uint8Array;
}

/** Appends PCM; returns the whole frames it completes (fixed block size; the final frame may be shorter). */
export function flacFrames(state: FlacFramerState, pcm: Uint8Array, channels: number, final: boolean): Uint8Array {
  let buf = concatBytes([state.carry, pcm]);
  const blockBytes = FLAC_BLOCK * 2 * channels;
  const out: Uint8Array[] = [];
  while (buf.length >= blockBytes) {
    out.push(frame(buf.subarray(0, blockBytes), channels, state.written, state.sampleRate));
    state.written += FLAC_BLOCK;
    buf = buf.subarray(blockBytes);
  }
  if (final && buf.length > 0) {
    out.push(frame(buf, channels, state.written, state.sampleRate));
    state.written += buf.length / (2 * channels);
    buf = new Uint8Array(0);
  }
  state.carry = buf.slice();
  return concatBytes(out);
}
