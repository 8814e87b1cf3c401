// Deterministic stand-in audio for the neural server doubles: a tone whose
// pitch names the voice and whose length follows the text and the speed, so
// tests can tell which voice spoke and how fast without a model.
import { encodeWav } from '../../../../core/audio/wav.ts';

/** Milliseconds of audio per character at speed 1. */
export const NEURAL_MS_PER_CHAR = 50;

function voiceFrequency(voice: string): number {
  let h = 0;
  for (const c of voice) h = (h * 31 + c.codePointAt(0)!) >>> 0;
  return 150 + (h % 400);
}

export function neuralPcm(text: string, voice: string, sampleRate: number, speed = 1): Uint8Array {
  const frames = Math.round((text.length * NEURAL_MS_PER_CHAR * sampleRate) / 1000 / speed);
  const freq = voiceFrequency(voice);
  const pcm = new Uint8Array(frames * 2);
  const view = new DataView(pcm.buffer);
  for (let i = 0; i < frames; i++) view.setInt16(i * 2, Math.round(6000 * Math.sin((2 * Math.PI * freq * i) / sampleRate)), true);
  return pcm;
}

export function neuralWav(text: string, voice: string, sampleRate: number, speed = 1): Uint8Array {
  return encodeWav(neuralPcm(text, voice, sampleRate, speed), { sampleRate, channels: 1, bitsPerSample: 16 });
}
