// The exact duration of an encoded stream, read from its own headers (no
// decoding): what a player will play, which for MP3 and AAC is longer than
// the PCM by the encoder's delay and the last frame's padding.

import { scanMp3 } from '../../edge/backend/audio/mp3.ts';
import { scanOggOpus } from '../../edge/backend/audio/oggOpus.ts';
import { EncoderError } from './ffmpeg.ts';

export interface StreamDuration {
  /** Samples at `sampleRate` (for Opus: at 48 kHz, pre-skip removed). */
  samples: number;
  sampleRate: number;
  durationMs: number;
}

const ADTS_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** ADTS: 1,024 samples per raw data block, walked frame by frame. */
export function adtsDuration(bytes: Uint8Array): StreamDuration {
  let offset = 0;
  let samples = 0;
  let sampleRate = 0;
  while (offset + 7 <= bytes.length) {
    if (bytes[offset] !== 0xff || (bytes[offset + 1]! & 0xf6) !== 0xf0) throw new EncoderError(`no ADTS frame at byte ${offset}`);
    sampleRate = ADTS_RATES[(bytes[offset + 2]! >> 2) & 0x0f] ?? 0;
    const length = ((bytes[offset + 3]! & 0x03) << 11) | (bytes[offset + 4]! << 3) | (bytes[offset + 5]! >> 5);
    if (length < 7 || sampleRate === 0) throw new EncoderError(`bad ADTS header at byte ${offset}`);
    samples += ((bytes[offset + 6]! & 0x03) + 1) * 1024;
    offset += length;
  }
  if (samples === 0) throw new EncoderError('no ADTS frames');
  return { samples, sampleRate, durationMs: (samples / sampleRate) * 1000 };
}

/** FLAC: total samples from STREAMINFO, the first metadata block. */
export function flacDuration(bytes: Uint8Array): StreamDuration {
  if (bytes.length < 42 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'fLaC' || (bytes[4]! & 0x7f) !== 0) throw new EncoderError('no FLAC STREAMINFO');
  const v = new DataView(bytes.buffer, bytes.byteOffset + 8, 34);
  const sampleRate = v.getUint32(10) >>> 12;
  const samples = (v.getUint8(13) & 0x0f) * 2 ** 32 + v.getUint32(14);
  if (samples === 0) throw new EncoderError('FLAC STREAMINFO has no sample count');
  return { samples, sampleRate, durationMs: (samples / sampleRate) * 1000 };
}

export function mp3Duration(bytes: Uint8Array): StreamDuration {
  const scan = scanMp3(bytes);
  if (!scan) throw new EncoderError('no MPEG audio frame');
  return { samples: scan.samples, sampleRate: scan.sampleRate, durationMs: scan.durationMs };
}

export function oggOpusDuration(bytes: Uint8Array): StreamDuration {
  const scan = scanOggOpus(bytes);
  return { samples: scan.samples, sampleRate: 48000, durationMs: scan.durationMs };
}
