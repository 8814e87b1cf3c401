// Playback speed with the voice's pitch kept: each chunk's samples are
// time-stretched by SoundTouch's WSOLA stage (@soundtouchjs/core) before the
// player schedules them. Web Audio has no `preservesPitch` (that is a media
// element property); a source node's playbackRate would raise the pitch too.
import { Stretch } from '@soundtouchjs/core';

export const MIN_RATE = 0.5;
export const MAX_RATE = 3;

export function clampRate(rate: number): number {
  return Number.isFinite(rate) ? Math.min(MAX_RATE, Math.max(MIN_RATE, rate)) : 1;
}

/**
 * Channel data played `tempo` times as fast at the same pitch: the result has
 * `round(length / tempo)` samples. SoundTouch works on interleaved stereo, so
 * each channel goes through as a pair.
 */
export function stretchChannel(samples: Float32Array, sampleRate: number, tempo: number): Float32Array {
  const want = Math.round(samples.length / tempo);
  if (tempo === 1) return samples.slice();
  const stretch = new Stretch({ createBuffers: true, sampleRate });
  stretch.tempo = tempo;
  const interleaved = new Float32Array(samples.length * 2);
  for (let i = 0; i < samples.length; i++) interleaved[2 * i] = interleaved[2 * i + 1] = samples[i]!;
  stretch.inputBuffer!.putSamples(interleaved);
  // Silence after the end flushes the last window out of the stretcher.
  stretch.inputBuffer!.putSamples(new Float32Array(2 * Math.ceil(sampleRate * 0.25 * Math.max(1, tempo))));
  stretch.process();
  const out = stretch.outputBuffer!;
  const frames = Math.min(want, out.frameCount);
  const pairs = new Float32Array(frames * 2);
  out.extract(pairs, 0, frames);
  const result = new Float32Array(want);
  for (let i = 0; i < frames; i++) result[i] = pairs[2 * i]!;
  return result;
}

/** An AudioBuffer of `buffer` played `tempo` times as fast, pitch kept. */
export function stretchBuffer(ctx: BaseAudioContext, buffer: AudioBuffer, tempo: number): AudioBuffer {
  const length = Math.max(1, Math.round(buffer.length / tempo));
  const out = ctx.createBuffer(buffer.numberOfChannels, length, buffer.sampleRate);
  for (let ch = 0; ch < buffer.numberOfChannels; ch++) {
    out.copyToChannel(stretchChannel(buffer.getChannelData(ch), buffer.sampleRate, tempo) as Float32Array<ArrayBuffer>, ch);
  }
  return out;
}

/** Each decoded chunk stretched to the current speed, made once (when it is scheduled) and dropped with the chunk. */
export class StretchCache {
  private readonly made = new WeakMap<AudioBuffer, { rate: number; buffer: AudioBuffer }>();
  private readonly ctx: BaseAudioContext;
  constructor(ctx: BaseAudioContext) {
    this.ctx = ctx;
  }

  at(buffer: AudioBuffer, rate: number): AudioBuffer {
    if (rate === 1) return buffer;
    const known = this.made.get(buffer);
    if (known?.rate === rate) return known.buffer;
    const made = stretchBuffer(this.ctx, buffer, rate);
    this.made.set(buffer, { rate, buffer: made });
    return made;
  }
}
