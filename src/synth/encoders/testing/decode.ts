// Test support: decodes each response format with a kept decoder from npm
// (mpg123-decoder, ogg-opus-decoder, @wasm-audio-decoders/flac; AAC through
// the packaged ffmpeg, which has the only AAC decoder on npm here), and
// compares decoded audio with a reference by its loudness envelope.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import type { ResponseFormat } from '../../../core/openai/speech.ts';
import { parseWav } from '../../../core/audio/wav.ts';
import { ffmpegPath } from '../ffmpeg.ts';

export interface Decoded {
  samples: Float32Array;
  sampleRate: number;
}

export function pcm16ToFloat(pcm: Uint8Array): Float32Array {
  const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const out = new Float32Array(pcm.byteLength >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}

export async function decodeAudio(format: ResponseFormat, bytes: Uint8Array, pcmSampleRate = 22050): Promise<Decoded> {
  switch (format) {
    case 'wav': {
      const wav = parseWav(bytes);
      return { samples: pcm16ToFloat(wav.pcm), sampleRate: wav.format.sampleRate };
    }
    case 'pcm':
      return { samples: pcm16ToFloat(bytes), sampleRate: pcmSampleRate };
    case 'mp3': {
      const d = new MPEGDecoder();
      await d.ready;
      try {
        const r = d.decode(bytes);
        if (r.errors.length > 0) throw new Error(`mpg123: ${r.errors[0]!.message}`);
        return { samples: r.channelData[0]!, sampleRate: r.sampleRate };
      } finally {
        d.free();
      }
    }
    case 'opus': {
      const d = new OggOpusDecoder();
      await d.ready;
      try {
        const r = await d.decodeFile(bytes);
        if (r.errors.length > 0) throw new Error(`ogg-opus-decoder: ${r.errors[0]!.message}`);
        return { samples: r.channelData[0]!, sampleRate: r.sampleRate };
      } finally {
        d.free();
      }
    }
    case 'flac': {
      const d = new FLACDecoder();
      await d.ready;
      try {
        const r = await d.decodeFile(bytes);
        if (r.errors.length > 0) throw new Error(`flac: ${r.errors[0]!.message}`);
        return { samples: r.channelData[0]!, sampleRate: r.sampleRate };
      } finally {
        d.free();
      }
    }
    case 'aac': {
      // ADTS carries its rate in every frame header (sampling_frequency_index).
      const rate = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350][(bytes[2]! >> 2) & 0x0f]!;
      const pcm = await ffmpegDecode(bytes, ['-f', 'aac']);
      return { samples: pcm16ToFloat(pcm), sampleRate: rate };
    }
  }
}

/** Decodes through the packaged ffmpeg to mono PCM16, without blocking the event loop. */
async function ffmpegDecode(bytes: Uint8Array, input: string[]): Promise<Uint8Array> {
  const run = promisify(execFile)(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', ...input, '-i', 'pipe:0', '-f', 's16le', '-ac', '1', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 28 });
  run.child.stdin!.end(bytes);
  const { stdout } = await run;
  return new Uint8Array(stdout);
}

/** RMS per `windowMs` window. */
export function envelope(d: Decoded, windowMs = 10): Float64Array {
  const size = Math.round((d.sampleRate * windowMs) / 1000);
  const out = new Float64Array(Math.floor(d.samples.length / size));
  for (let w = 0; w < out.length; w++) {
    let sum = 0;
    for (let i = w * size; i < (w + 1) * size; i++) sum += d.samples[i]! ** 2;
    out[w] = Math.sqrt(sum / size);
  }
  return out;
}

/**
 * How well `got` follows `reference`: the best Pearson correlation of their
 * 10 ms loudness envelopes over lags up to ±`maxLagMs`, and that lag (ms,
 * positive when `got` is late).
 */
export function envelopeMatch(reference: Decoded, got: Decoded, maxLagMs = 200): { correlation: number; lagMs: number } {
  const a = envelope(reference);
  const b = envelope(got);
  let best = { correlation: -1, lagMs: 0 };
  const maxLag = Math.round(maxLagMs / 10);
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < a.length; i++) if (i + lag >= 0 && i + lag < b.length) pairs.push([a[i]!, b[i + lag]!]);
    const n = pairs.length;
    const ma = pairs.reduce((s, p) => s + p[0], 0) / n;
    const mb = pairs.reduce((s, p) => s + p[1], 0) / n;
    let cov = 0;
    let va = 0;
    let vb = 0;
    for (const [x, y] of pairs) {
      cov += (x - ma) * (y - mb);
      va += (x - ma) ** 2;
      vb += (y - mb) ** 2;
    }
    const r = cov / Math.sqrt(va * vb);
    if (r > best.correlation) best = { correlation: r, lagMs: lag * 10 };
  }
  return best;
}
