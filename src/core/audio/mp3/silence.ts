// A Layer III frame of digital silence: all-zero side information (no main
// data, no reservoir use), so it decodes to zeros and leaves the next frame's
// bit reservoir untouched. Pauses are whole frames of it.
import { buildFrameHeader, frameBytes, type MpegFrameHeader } from './frame-header.ts';

/** One silent frame in the stream's version, rate and mode, at `bitrateKbps` (keeps a CBR stream CBR). */
export function silentFrame(like: MpegFrameHeader, bitrateKbps: number): Uint8Array {
  const frame = new Uint8Array(frameBytes(like.version, bitrateKbps, like.sampleRate, false));
  frame.set(buildFrameHeader(like, bitrateKbps), 0);
  return frame; // side info and main data stay zero
}

/** Whole frames for a pause of `ms`: rounded to the nearest frame (576 samples = 26.1 ms at 22.05 kHz). */
export function pauseFrames(ms: number, like: Pick<MpegFrameHeader, 'sampleRate' | 'samplesPerFrame'>): number {
  return Math.round((ms * like.sampleRate) / 1000 / like.samplesPerFrame);
}
