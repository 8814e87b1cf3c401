// Measures one encoded chunk the way the book containers will hold it, so a
// job can record exact encoded durations and the timeline can place chunks
// before (or without) assembling anything.
import { mp3AudioFrames } from '../mp3/frames.ts';
import { OPUS_RATE } from '../opus/head.ts';
import { SILENT_PACKET_SAMPLES, opusPacketSamples } from '../opus/packet.ts';
import { chunkPackets } from '../opus/reframer.ts';
import { parseWav } from '../wav.ts';
import type { BookAudioFormat } from './metadata.ts';
import type { BookClock, EncodedChunk } from './timeline.ts';

export interface MeasuredChunk extends Omit<EncodedChunk, 'pause'> {
  /** Samples per second of the counts above (48,000 for Opus). */
  sampleRate: number;
  /** Whole units a pause is rounded to in this container. */
  quantumSamples: number;
}

export function measureChunk(format: BookAudioFormat, bytes: Uint8Array): MeasuredChunk {
  if (format === 'mp3') {
    const a = mp3AudioFrames(bytes);
    const samples = a.frames.length * a.header.samplesPerFrame;
    return { occupiedSamples: samples, leadSamples: 0, playableSamples: samples, sampleRate: a.header.sampleRate, quantumSamples: a.header.samplesPerFrame };
  }
  if (format === 'opus') {
    const c = chunkPackets(bytes);
    const occupied = c.packets.reduce((n, p) => n + opusPacketSamples(p), 0);
    const playable = Math.max(0, Math.min(c.finalGranule ?? occupied, occupied) - c.preSkip);
    return { occupiedSamples: occupied, leadSamples: c.preSkip, playableSamples: playable, sampleRate: OPUS_RATE, quantumSamples: SILENT_PACKET_SAMPLES };
  }
  const w = parseWav(bytes);
  const samples = w.pcm.length / (w.format.channels * 2);
  return { occupiedSamples: samples, leadSamples: 0, playableSamples: samples, sampleRate: w.format.sampleRate, quantumSamples: 1 };
}

/** The clock of a book whose chunks measure like `m`. */
export function bookClock(m: MeasuredChunk, pauses: BookClock['pauses']): BookClock {
  return { sampleRate: m.sampleRate, quantumSamples: m.quantumSamples, pauses };
}
