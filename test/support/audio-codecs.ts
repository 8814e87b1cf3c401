// Kept encoders and decoders for tests of the audiobook containers: eSpeak NG
// speech as PCM, LAME (wasm-media-encoders) for MP3, libopus (opus-encdec) for
// Ogg Opus, and mpg123 / libopus decoders (mpg123-decoder, ogg-opus-decoder)
// to read assembled files back independently of Lector's own writers.
import { createRequire } from 'node:module';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { createMp3Encoder } from 'wasm-media-encoders';
import { EspeakEngine } from '../../src/synth/engines/espeak.ts';

const require = createRequire(import.meta.url);

let espeak: Promise<EspeakEngine> | undefined;

/** eSpeak NG speech: s16le mono PCM at 22,050 Hz, deterministic for a text. */
export async function speechPcm(text: string): Promise<{ pcm: Uint8Array; sampleRate: number }> {
  espeak ??= EspeakEngine.load();
  const out = await (await espeak).synthesize(text, 'espeak:en-us', 1);
  return { pcm: out.pcm, sampleRate: out.sampleRate };
}

export function pcmToFloat(pcm: Uint8Array): Float32Array {
  const v = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const out = new Float32Array(pcm.byteLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = v.getInt16(i * 2, true) / 32768;
  return out;
}

/** CBR MP3 (raw frames, as LAME writes them) at the PCM's rate. */
export async function encodeMp3(pcm: Uint8Array, sampleRate: number, bitrate: 8 | 16 | 24 | 32 | 40 | 48 | 64 | 80 | 96 | 112 | 128 | 160 = 32): Promise<Uint8Array> {
  const encoder = await createMp3Encoder();
  encoder.configure({ sampleRate, channels: 1, bitrate });
  const body = encoder.encode([pcmToFloat(pcm)]).slice();
  const tail = encoder.finalize().slice();
  const out = new Uint8Array(body.length + tail.length);
  out.set(body, 0);
  out.set(tail, body.length);
  return out;
}

interface OggOpusEncoderLike {
  generateIdPage(): { page: Uint8Array };
  generateCommentPage(): { page: Uint8Array };
  encode(buffers: Float32Array[]): { page: Uint8Array }[];
  encodeFinalFrame(): { page: Uint8Array }[];
  destroy(): void;
}

let opusModule: Promise<unknown> | undefined;

/** Ogg Opus (one logical stream with its own OpusHead/OpusTags) from 22,050 Hz PCM, resampled to 48 kHz by the encoder. */
export async function encodeOggOpus(pcm: Uint8Array, sampleRate: number, serial: number): Promise<Uint8Array> {
  opusModule ??= new Promise((resolve) => {
    const m = require('opus-encdec/dist/libopus-encoder.wasm.js') as { isReady: boolean; onready?: () => void };
    if (m.isReady) resolve(m);
    else m.onready = () => resolve(m);
  });
  const module = await opusModule;
  const { OggOpusEncoder } = require('opus-encdec/src/oggOpusEncoder.js') as { OggOpusEncoder: new (config: object, m: unknown) => OggOpusEncoderLike };
  const enc = new OggOpusEncoder({ originalSampleRate: sampleRate, encoderSampleRate: 48000, numberOfChannels: 1, serial, encoderApplication: 2048, maxFramesPerPage: 40 }, module);
  // Whole 20 ms input frames: the library's final-frame path drops pages it makes.
  const frame = Math.round(sampleRate / 50);
  const samples = pcmToFloat(pcm);
  const padded = new Float32Array(Math.ceil(samples.length / frame) * frame);
  padded.set(samples);
  const pages = [enc.generateIdPage(), enc.generateCommentPage(), ...enc.encode([padded]), ...enc.encodeFinalFrame()].map((p) => p.page.slice());
  enc.destroy();
  const out = new Uint8Array(pages.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of pages) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface DecodedAudio {
  samples: Float32Array;
  sampleRate: number;
  errors: number;
}

/** `gapless: false` keeps mpg123 from dropping its 529-sample decoder delay when a file has an Info frame. */
export async function decodeMp3(bytes: Uint8Array, options: { gapless?: boolean } = {}): Promise<DecodedAudio> {
  const decoder = new MPEGDecoder({ enableGapless: options.gapless ?? true });
  await decoder.ready;
  const out = decoder.decode(bytes);
  decoder.free();
  return { samples: out.channelData[0] ?? new Float32Array(0), sampleRate: out.sampleRate, errors: out.errors.length };
}

export async function decodeOggOpus(bytes: Uint8Array): Promise<DecodedAudio> {
  const decoder = new OggOpusDecoder();
  await decoder.ready;
  const out = await decoder.decodeFile(bytes);
  decoder.free();
  return { samples: out.channelData[0] ?? new Float32Array(0), sampleRate: out.sampleRate, errors: out.errors.length };
}
