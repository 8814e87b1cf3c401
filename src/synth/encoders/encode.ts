// Turns an engine's PCM into each OpenAI `response_format`: WAV and PCM here,
// MP3 with LAME as WASM on worker threads (lame.ts), the other compressed
// formats through the packaged ffmpeg (ffmpeg.ts). The settings are the
// chunk contract of docs/formats.md: MP3 is CBR mono raw frames (no ID3, no
// Xing) so chunks concatenate; Opus is one Ogg Opus stream per call.

import { encodeWav, WAV_HEADER_BYTES, wavHeader } from '../../core/audio/wav.ts';
import { joinParts } from '../engines/engine.ts';
import { RESPONSE_CONTENT_TYPES, type ResponseFormat } from '../../core/openai/speech.ts';
import { runFfmpeg } from './ffmpeg.ts';
import { encodeMp3 } from './lame.ts';
import { adtsDuration, flacDuration, mp3Duration, oggOpusDuration, type StreamDuration } from './streamDuration.ts';

/** MP3 bitrate, kb/s: transparent for 22.05 kHz mono speech, 360 KB per minute. */
export const MP3_KBPS = 48;
/** Opus bitrate (constrained VBR), kb/s: clean 22.05 kHz speech, two thirds of MP3's size. */
export const OPUS_KBPS = 32;
/** AAC (ffmpeg's native LC encoder) bitrate, kb/s. */
export const AAC_KBPS = 48;

interface Settings {
  /** ffmpeg output options; MP3 has its own encoder instead. */
  output: readonly string[];
  /** Samples a decoder plays before the first PCM sample (encoder delay + decoder delay); Opus trims its own with pre-skip. */
  delaySamples: number;
  seekableOutput?: boolean;
  duration: (bytes: Uint8Array) => StreamDuration;
}

/** MP3 through ffmpeg's libmp3lame (LAME quality 7, "fast"): the bench's comparison for the WASM path. */
export const FFMPEG_MP3_OUTPUT = ['-c:a', 'libmp3lame', '-b:a', `${MP3_KBPS}k`, '-compression_level', '7', '-write_xing', '0', '-id3v2_version', '0', '-write_id3v1', '0', '-f', 'mp3'];

const SETTINGS: Readonly<Record<'mp3' | 'opus' | 'aac' | 'flac', Settings>> = {
  // LAME as WASM on a worker thread (lame.ts); FFMPEG_MP3_OUTPUT is the same through ffmpeg.
  mp3: {
    output: [],
    // LAME's 576-sample encoder delay plus the 529-sample MP3 decoder delay; no LAME tag tells a player to trim them.
    delaySamples: 1105,
    duration: mp3Duration,
  },
  // Resampled to 48 kHz: ffmpeg 4.1 writes a wrong pre-skip for other libopus rates.
  // Complexity 2 of 10 in the default (CELT) mode: about half the CPU of complexity 10 or of the
  // speech (SILK) mode. Constrained VBR: unconstrained CELT VBR overshoots to ~55 kb/s on speech.
  opus: {
    output: ['-c:a', 'libopus', '-b:a', `${OPUS_KBPS}k`, '-vbr', 'constrained', '-ar', '48000', '-compression_level', '2', '-flags:a', '+bitexact', '-f', 'opus'],
    delaySamples: 0,
    duration: oggOpusDuration,
  },
  // ffmpeg's AAC encoder primes with one 1,024-sample frame; ADTS cannot signal it.
  aac: { output: ['-c:a', 'aac', '-b:a', `${AAC_KBPS}k`, '-f', 'adts'], delaySamples: 1024, duration: adtsDuration },
  // FLAC's muxer seeks back to write the sample count into STREAMINFO, so it needs a file.
  flac: { output: ['-c:a', 'flac', '-f', 'flac'], seekableOutput: true, delaySamples: 0, duration: flacDuration },
};

export interface EncodedAudio {
  audio: Uint8Array;
  contentType: string;
  /** Duration of the encoded stream (what a player plays), ms, not rounded. */
  durationMs: number;
  /** The same duration as a sample count at `durationSampleRate` (exact, for summing many chunks). */
  samples: number;
  durationSampleRate: number;
  /** Where the PCM's first sample plays in the decoded stream, ms: word timings move by this much. */
  delayMs: number;
  /** Milliseconds spent encoding (0 for wav and pcm). */
  encodeMs: number;
}

export interface EncodeOptions {
  signal?: AbortSignal;
}

/** Encodes mono PCM16 (little-endian) at `sampleRate` as `format`. */
export async function encodeSpeech(pcm: Uint8Array, sampleRate: number, format: ResponseFormat, options: EncodeOptions = {}): Promise<EncodedAudio> {
  const contentType = RESPONSE_CONTENT_TYPES[format];
  if (format === 'wav' || format === 'pcm') {
    const samples = pcm.byteLength >> 1;
    const audio = format === 'wav' ? encodeWav(pcm, { sampleRate, channels: 1, bitsPerSample: 16 }) : pcm;
    return { audio, contentType, durationMs: (samples / sampleRate) * 1000, samples, durationSampleRate: sampleRate, delayMs: 0, encodeMs: 0 };
  }
  const settings = SETTINGS[format];
  const started = performance.now();
  const audio =
    format === 'mp3'
      ? await encodeMp3(pcm, sampleRate, MP3_KBPS, options.signal)
      : await runFfmpeg({ pcm, sampleRate, output: settings.output, seekableOutput: settings.seekableOutput, signal: options.signal });
  const encodeMs = performance.now() - started;
  const d = settings.duration(audio);
  const delayMs = (settings.delaySamples / sampleRate) * 1000;
  return { audio, contentType, durationMs: d.durationMs, samples: d.samples, durationSampleRate: d.sampleRate, delayMs, encodeMs };
}

/** EncodedAudio whose bytes are pieces to send in order (WAV and PCM: the engine's PCM parts, not copied). */
export interface EncodedParts extends Omit<EncodedAudio, 'audio'> {
  parts: readonly Uint8Array[];
  byteLength: number;
}

/**
 * `encodeSpeech` for PCM in parts: WAV is a 44-byte header followed by the
 * parts themselves and raw PCM is the parts, so neither copies the audio;
 * compressed formats join the parts once for their encoder.
 */
export async function encodeSpeechParts(pcmParts: readonly Uint8Array[], pcmBytes: number, sampleRate: number, format: ResponseFormat, options: EncodeOptions = {}): Promise<EncodedParts> {
  if (format === 'wav' || format === 'pcm') {
    const samples = pcmBytes >> 1;
    const parts = format === 'wav' ? [wavHeader({ sampleRate, channels: 1, bitsPerSample: 16 }, pcmBytes), ...pcmParts] : pcmParts;
    const byteLength = pcmBytes + (format === 'wav' ? WAV_HEADER_BYTES : 0);
    return { parts, byteLength, contentType: RESPONSE_CONTENT_TYPES[format], durationMs: (samples / sampleRate) * 1000, samples, durationSampleRate: sampleRate, delayMs: 0, encodeMs: 0 };
  }
  const { audio, ...rest } = await encodeSpeech(joinParts(pcmParts), sampleRate, format, options);
  return { ...rest, parts: [audio], byteLength: audio.byteLength };
}
